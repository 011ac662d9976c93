"""The note styles: templates and the code that strings them together.

Templates use the field syntax of :mod:`deid.synth._builder`. They are written in mixed
case; a note's casing (upper, lower, as written) is applied by the builder afterwards.
Sentence templates carry no final period: the note's own punctuation habit adds it.
"""

from __future__ import annotations

# -- ICU nursing progress note -----------------------------------------------------------
NURSING_HEADERS = (
    "NPN {shift}", "Nursing Progress Note {shift}", "NSG NOTE:", "Nursing Note {today}",
    "MICU NPN {shift}", "CCU Nursing Progress Note", "Nursing progress note, {shift}",
    "NPN: {today} {shift}", "Nursing {shift}:", "MICU/SICU nursing progress note {today}",
    "Nursing Progress Note ({shift})", "{~ABBREVIATION:NPN} {shift} {weekday}",
    "Nsg Progress Note {today}", "Nursing admission note", "CSRU NPN {shift}",
)
NURSING_HPI = (
    '{pt:full} ({age}) admitted {admit} from {nh} with {dx}',
    '{pt:title_last} is a {age} {man} well known to this unit, readmitted with {dx}',
    'Pt s/p MVC {date:past}, driver of vehicle {plate} per police ({idcode:case}), {dx}',
    '{age:age} {MF}, lives in {city}, {county}, admitted {admit} with {dx}',
    "Pt is a {age} {MF} admitted {admit} from {hosp} with {dx}",
    "{age} {man} with hx {eponym:dx}, {~ABBREVIATION:CHF}, {~ABBREVIATION:COPD}, admitted {date:past} with {dx}",
    "Pt is {age:y/o} {man} transferred from {hosp} on {date:past} for {dx}. PMH: {eponym:dx}, s/p {eponym:proc} in {year}",
    "{pt} is a {age} {man} s/p {proc} {date:past}, {~ABBREVIATION:R/O} {dx}",
    "Pt admitted {admit} w/ {dx}; lives at {nh}, baseline A&Ox2",
    "{age} {MF} from {nh} sent in for {dx}, code status DNR/DNI per {rel}",
    "Pt {pt} ({age}) presented to {hosp} ED on {weekday} with {dx}, transferred here",
    "{age:words} {man} w/ {dx}, {~ABBREVIATION:S/P} fall at home {date:past}",
    "Pt is {age:age}, {MF}, {dx}, hx {eponym:dx}",
)
NEURO = (
    '{eponym:scale} {n:3-15}, {eponym:sign} equivocal',
    'Opens eyes to name ({pt:first_lower}), does not track',
    'Responds to {pt:first}, nods appropriately',
    'Pt prefers to be called {nick}, oriented to place',
    'Pupils {n:2-4}mm, equal and reactive, {score:gcs}',
    'Moving all extremities, grips equal',
    'Lethargic but arousable, follows commands inconsistently',
    'Denies pain, {score:pain}',
    'Withdraws to pain x4, no purposeful movement',
    'Seroquel {~DOSE:25 mg PO|12.5mg PO} at HS, slept {n:2-6} hrs',
    'Sitter at bedside {~RATIO:1:1} for safety, {~FRACTION:3/4} side rails up',
    'Pt pulling at lines, soft restraints applied at {time}, MD order obtained',
    "A&Ox{n:1-3}, MAE, follows commands",
    "Alert, oriented x{n:1-3}, {|pleasant and cooperative|confused at times|forgetful|appropriate}",
    "Sedated on {~DOSE:propofol 30 mcg/kg/min|fentanyl 50 mcg/hr|versed 2 mg/hr|precedex 0.4 mcg/kg/hr}, {score:rass}, arouses to voice",
    "PERRL {n:2-4}mm brisk, {score:gcs}",
    "Pt restless overnight, given {~DOSE:haldol 2mg IV|haldol 5 mg IV|ativan 1mg IV} at {time} with good effect",
    "Oriented to self only, thinks it is {weekday}",
    "Reoriented frequently, asking for {rel_name}",
    "Hx of {eponym:dx}, tremor noted {|bilat|in R hand|at rest}",
    "{eponym:sign} negative bilat",
    "Speaks {|Portuguese|Spanish|Haitian Creole|Cantonese|Vietnamese|Russian|Cape Verdean Creole} only, {other:interp} used for exam",
    "Pain {score:pain}, medicated with {~DOSE:dilaudid 0.5mg IV|morphine 2mg IV|tylenol 650mg PO|oxycodone 5mg PO}",
    "No sz activity noted, on {~DOSE:keppra 500 mg BID|dilantin 100 mg TID}",
    "CIWA {n:0-15}, no ativan needed this shift",
    "Pt {~MONTH_WORD:may} benefit from neuro consult per {dr}",
    "MAE but weak on L side, {score:strength}",
    "Neuro exam unchanged from {date:past}",
    "{score:gcs}, {eponym:sign} upgoing on R",
    "Pt {~COMMON_WORD:will} follow simple commands intermittently",
    "Calm, watching TV, asked to call {his} {rel}",
    "Neuro checks q{n:1-4}h, {~SCORE:NIH stroke scale 4|NIHSS 7|NIHSS 2}",
)
CV = (
    '{device}, remote monitor at home uploads from {ip}',
    'NSR {n:60-99}, SBP {n:100-140}, no ectopy noted',
    'Amiodarone gtt at {~DOSE:0.5 mg/min|1 mg/min}, HR {n:70-110}',
    '{vital:bp} after {~DOSE:lasix 40mg IV|lasix 80 mg IV}, diuresed {n:500-2000}cc',
    'CVP {n:4-18}, PAD {n:12-30}, SVR {n:700-1600}',
    'Pedal pulses by {~EPONYM:doppler|Doppler} only',
    'Neo at {~DOSE:1 mcg/kg/min|0.5 mcg/kg/min}, titrating to MAP > 60',
    'Pressure {~COMMON_WORD:mark|marks} noted on heels, {|+2|+3} pitting edema BLE',
    "HR {n:58-128} {|NSR|SR|ST|AFib|afib w/ RVR|SB}, {|no ectopy|occ PVCs|rare PACs}, {vital:bp}",
    "SBP {n:90-160}s, MAP >{n:60-70}",
    "{lab:K} this am, repleted with {~DOSE:20 mEq KCL|40 mEq KCL IV|40 meq KCl PO}",
    "{lab:Mg}, repleted w/ {~DOSE:2 gm mag sulfate|2g Mg}",
    "{eponym:device} in place, CO {n:3-7}.{n:0-9}/CI {n:1-4}.{n:0-9}, CVP {n:4-18}",
    "Lopressor {~DOSE:25 mg PO|5 mg IV} given at {time} for HR {n:110-150}s",
    "{lab:Hct} this am (from {n:28-38}.{n:0-9}), transfused {~DOSE:2 units PRBC|1 unit PRBC|1u PRBC}",
    "Levophed weaned to {~DOSE:0.04 mcg/kg/min|0.02 mcg/kg/min|2 mcg/min}, off at {time}",
    "Pulses palp x4, {|+1 edema BLE|trace edema|no edema}",
    "{device} interrogated by EP, functioning",
    "A-line R radial, {|dampened|good waveform}, re-zeroed at {time}",
    "Cardiology ({dr}) aware of {|afib|rate|ectopy}, {|will follow|plan for amio|no new orders}",
    "Enzymes: {lab:trop}, {lab:CK}",
    "Heparin gtt at {~DOSE:1000 u/hr|900 units/hr|12 u/kg/hr}, {lab:PTT} at {time}",
    "EKG done, {dr} reviewed, no changes from {date:past}",
    "Hx {~EPONYM:Wolff-Parkinson-White|Brugada|Takotsubo}, on tele",
    "BP labile {vital:bp} to {vital:bp}, {dr} notified, {dose} given",
    "Hct stable {lab:Hct}, no s/s bleeding",
)
RESP = (
    'Vent settings unchanged, {ratio}, RSBI {n:40-140}',
    'Cough weak, nonproductive',
    'Nebs q4h, {~DOSE:albuterol/atrovent|xopenex 1.25 mg}',
    'Sats {vital:sat} on {~RATIO:40%|50%|60%} shovel mask',
    'Breath sounds {~COMMON_WORD:little|slightly} improved after chest PT',
    "LS {|clear|coarse|rhonchorous|diminished} {|bilat|throughout}, {|diminished at bases|crackles at R base|exp wheezes}",
    "On {|AC|CMV|SIMV} {vent}, {ratio}",
    "O2 sat {vital:sat} on {n:2-6}L NC",
    "Suctioned for {|thick tan|thin white|blood tinged|copious yellow} secretions q{n:1-4}h",
    "ABG {lab:abg}",
    "Weaned to {~RATIO:CPAP 5/5|PSV 10/5|40% FM|50% face tent}, tolerating well",
    "RT ({rrt}) aware, {|will wean in AM|nebs given|changed to trach mask}",
    "Plan for extubation in AM per {dr}",
    "Pt {~COMMON_WORD:will} need CXR in AM, ?{|LLL infiltrate|effusion|CHF}",
    "CT {~EPONYM:Pleur-evac|pleur-evac} to {|-20 sx|water seal}, no air leak",
    "Pt on BIPAP {~RATIO:12/5|10/5|14/6} overnight",
    "{~EPONYM:Cheyne-Stokes|Kussmaul} resp pattern noted while sleeping",
    "IS {n:500-1500}cc, encouraged C&DB",
    "Trach care done, {~EPONYM:Shiley} #{n:6-8}",
    "RR {n:12-34}, {|no resp distress|using accessory muscles|sats stable}",
    "Sputum cx sent {date}, {~EPONYM:Gram stain|gram stain} pending",
)
GIGU = (
    'Hx {eponym:proc} {|in {year}|{yy}|years ago}, abd soft',
    'Abd obese, soft, nontender',
    'Voiding via {~EPONYM:Foley|foley} qs',
    'I/O {~MEASURE:2400/1800|1650/2300|3100/1250|1200/900}, net {|+|-}{n:100-1500}cc',
    'Ambulated {~FRACTION:1/2} way down hall with assist, tolerated {~FRACTION:1/2} of meal',
    'Free water flushes {~DOSE:150cc q6h|200 cc q4h}',
    '{~COMMON_WORD:Small|small} amt {~COMMON_WORD:brown|Brown} stool, OB neg',
    "Abd soft, {|+BS|hypoactive BS|distended|obese, +BS}, {|tolerating TF|NPO|tolerating clears}",
    "TF ({|Promote|Nutren|Jevity|Impact}) at goal {~DOSE:60cc/hr|50 cc/hr|70cc/hr} via {|OGT|NGT|PEG}",
    "{~EPONYM:Foley|foley|Foley cath|foley catheter} draining {|clear yellow|amber|cloudy|concentrated} urine {n:20-90}-{n:60-200}cc/hr",
    "BM x{n:1-3}, {~COMMON_WORD:brown|Brown|brn} {|liquid|soft|formed|loose} stool, guaiac {|neg|pos}",
    "{~COMMON_WORD:Black} tarry stool x1, {dr} aware, {lab:Hct} sent",
    "NPO after MN for {proc} in AM",
    "{lab:bun_cr}, {|lasix|diuresed|IVF} given",
    "Rectal tube in place, {|Flexiseal|draining} {n:100-700}cc",
    "Lytes repleted per sliding scale, {lab:K} {lab:Mg}",
    "IVF: {dose:ivf}",
    "Pt c/o nausea, zofran {~DOSE:4mg IV} given at {time}",
    "Hx {eponym:dx}, on {~DOSE:PPI BID|protonix 40 IV}",
    "UO {n:15-40}cc/hr x {n:2-3}hrs, {dr} aware, bolus {~DOSE:500cc NS|250 cc LR}",
    "Dobhoff placed, placement confirmed by KUB",
    "{~COMMON_WORD:Green|green} bilious output from NGT {n:100-600}cc",
    "Diet: {~COMMON_WORD:bland|Bland} {|mechanical soft|cardiac|renal}, poor appetite",
)
ID_ = (
    "Tmax {vital:temp}, {lab:WBC}",
    "On {|vanco/zosyn|ceftriaxone|cefepime/flagyl|meropenem|levaquin}, day {n:2-9}",
    "Cx's pending from {date:past}",
    "BC x2 sent at {time}, UA/UC sent",
    "C diff {|neg|pending|pos} x{n:1-3}, on contact precautions",
    "{~EPONYM:Gram stain|gram stain} of sputum: {|GPC in clusters|GNR|few PMNs}",
    "Pan cultured {weekday}",
    "Afebrile, {lab:WBC} down from {n:14-22}",
)
SKIN = (
    "Coccyx {|stage II|stage I|unstageable} ulcer, {|duoderm|mepilex|allevyn} applied, {score:braden}",
    "Skin intact, turned q2h",
    "{|R|L} {|groin|IJ|subclavian} line site {|c/d/i|oozing, drsg changed}",
    "Incision {|c/d/i|with steri-strips|staples intact}",
    "Heels offloaded, {~EPONYM:Bair Hugger|bair hugger} for temp {vital:temp}",
    "Skin warm/dry, {|ecchymosis on arms|rash on back|no breakdown}",
)
ENDO = (
    "RISS, FS {n:80-300} at {time}, covered with {~DOSE:4 units regular|2u humalog|6 u SSI}",
    "Insulin gtt at {~DOSE:4 u/hr|2 units/hr}, FS q1h",
    "Hx {~EPONYM:Hashimoto's|Graves' disease|Cushing's|Addison's}, on {|levothyroxine|steroids}",
)
ACCESS = (
    "{|R|L} IJ TLC ({date:past}), A-line, PIV x{n:1-2}",
    "PICC placed {date:past} by IV team, tip confirmed by CXR",
    "{~EPONYM:Hickman|Groshong|Quinton catheter|Broviac} in R chest, flushed",
)
SOCIAL = (
    'Pt moved to {unit} in same building last {|month|year}',
    'Pt cares for {his} {|mother|father|aunt}, {age_other}, at home',
    '{pt} lives with {his} {age_other} {|mother|father|aunt|uncle}',
    '{pt} tearful, {rel} updated by phone',
    '{pt:first} asking for {his} {rel} all shift',
    '{pt:possessive} {rel} called, updated',
    '{pt:title_last} was a {|teacher|nurse|mill worker|farmer} for many years, lives in {city}',
    'Family posting updates at {url}',
    'Pt lives in {county}, {state}',
    "{rel} in to visit, updated by {dr}",
    "{rel} called x{n:2-3}, updated on plan of care",
    "{rel} at bedside {|most of day|this evening|overnight}, very supportive",
    "Family meeting planned for {weekday} at {time} with {dr} and {rel}",
    "Family meeting {date} at {time}: {rel}, {rel2}, {dr:att}, SW {sw} present",
    "HCP is {rel_hcp}, {phone_lbl:rel}",
    "{rel} lives in {other_city}, {|flying in|driving in|coming in} {weekday}",
    "{rel} ({phone:rel}) would like call if any changes",
    "Pt lives with {spouse_word} in {city_state}",
    "Pt lives alone at {street}, {city}",
    "Pt from {nh}, {|returning there at d/c|bed held|will need screening for return}",
    "Full code, {rel} aware",
    "DNR/DNI, confirmed with {rel_hcp} by phone",
    "Pt's {|son|daughter|wife|husband} works as a {|nurse|physician|tech|secretary} at {hosp}",
    "Pt emigrated from {country} in {year}",
    "Pt visiting from {foreign_city}, family here in {other_city}",
    "Spoke w/ {rel}, who states pt was {|fine|confused|walking} on {weekday}",
    "Pt wants to be home for {holiday}",
    "{other:chaplain} visited",
    "Pt {~COMMON_WORD:will} need {|VNA|rehab|NH} at d/c, CM ({cm}) following",
    "Questions re: hospital {~COMMON_WORD:bill} referred to financial counselor",
    "Family {~COMMON_WORD:hopes} pt can return home",
    "{rel} requests updates by email at {email:rel}",
    "{rel} {~MONTH_WORD:may} come in {weekday} evening",
    "{rel} states pt prefers to be called {nick}",
    "{rel} upset re: lost glasses, pt belongings sent home with {rel_name}",
    "{rel} ({age_other}) also recently hospitalized at {hosp}",
    "Dtr {rel_name} and son in law visited, {rel} called from {foreign_city}",
)
PLAN = (
    'Pt to {~ABBREVIATION:OR} in {~ABBREVIATION:AM}, {~ABBREVIATION:NPO} after MN',
    '{~ABBREVIATION:PT} able to have pt {~MONTH_WORD:march} in place, {~ABBREVIATION:OT} eval {weekday}',
    'Tylenol {~ABBREVIATION:PRN}, {~ABBREVIATION:HR} and {~ABBREVIATION:SBP} stable, {~ABBREVIATION:MAP} > 65',
    '{pt} aware of plan, agrees',
    'Update {pt} and {rel} after {proc}',
    'Plan discussed with {pt:title_last} and {rel}',
    "Cont to monitor, ? transfer to {ward} when bed available",
    "Plan for {proc} {date:future} with {dr}",
    "F/u labs at {time}",
    "Remains in {ward}, {room}",
    "Plan d/c to {nh} in AM, report called to {rn} at {phone:facility}",
    "Pt {~COMMON_WORD:will} go for CT at {time}",
    "Await {dr} recs",
    "Cont current plan, {dr:att} aware of events",
    "Transfer to {named_ward} {~MONTH_WORD:may} happen {weekday}",
    "Keep NPO, {~ABBREVIATION:PT}/{~ABBREVIATION:OT} consult in AM",
)
DAR_ACTION = (
    "{dose} given at {time}",
    "{dr} paged ({pager}), orders received",
    "Called {rel} to update",
    "Repositioned q2h, mouth care, {~EPONYM:Hoyer lift} to chair",
    "{rn} assisted with turning at {time}",
    "Labs sent: {labs}",
)
DAR_RESPONSE = (
    "Pt resting comfortably, {vitals}",
    "No change in status, {vital:bp}",
    "{score:pain} after meds",
    "{rel} verbalized understanding",
)
SECTION_HEADERS = {
    "neuro": ("NEURO:", "Neuro:", "neuro-", "N:", "NEURO-", "Neuro/psych:"),
    "cv": ("CV:", "C/V:", "Cardiac:", "CV-", "cv:", "CVS:"),
    "resp": ("RESP:", "Resp:", "Pulm:", "RESP-", "Respiratory:", "R:"),
    "gigu": ("GI/GU:", "GI:", "GU:", "GI-", "gi/gu:", "Abd:"),
    "id": ("ID:", "I.D.:", "ID-", "Temp:"),
    "skin": ("SKIN:", "Skin:", "Skin/integ:", "INTEG:"),
    "endo": ("ENDO:", "Endo:", "FS:"),
    "access": ("ACCESS:", "Lines:", "LINES:", "IV access:"),
    "social": ("SOCIAL:", "Social:", "SOC:", "Psychosocial:", "FAMILY:", "Family:", "Psych/soc:"),
    "plan": ("PLAN:", "A/P:", "Plan:", "DISPO:", "P:", "Plan-"),
}
SYSTEMS = (("neuro", NEURO, 0.9), ("cv", CV, 0.95), ("resp", RESP, 0.9), ("gigu", GIGU, 0.85),
           ("id", ID_, 0.55), ("skin", SKIN, 0.45), ("endo", ENDO, 0.25),
           ("access", ACCESS, 0.3), ("social", SOCIAL, 0.6), ("plan", PLAN, 0.7))


def _terminator(ctx) -> str:
    r = ctx.rng.random()
    if r < ctx.punct[0]:
        return ". "
    if r < ctx.punct[1]:
        return ", "
    if r < ctx.punct[2]:
        return "; "
    return " "


def sentences(ctx, b, pool, lo: int, hi: int, newline_each: float = 0.0) -> None:
    """Render ``lo..hi`` distinct templates from ``pool``, with the note's punctuation."""
    rng = ctx.rng
    k = min(len(pool), rng.randint(lo, hi))
    chosen = rng.sample(pool, k)
    for i, t in enumerate(chosen):
        b.render(t, ctx)
        if i < k - 1:
            if rng.random() < newline_each:
                b.text(".\n" if rng.random() < 0.6 else "\n")
            else:
                b.text(_terminator(ctx))
        elif rng.random() < 0.7:
            b.text(".")


def nursing(ctx, b) -> None:
    rng = ctx.rng
    ctx.punct = rng.choice(((0.8, 0.9, 0.95), (0.4, 0.8, 0.9), (0.2, 0.5, 0.8), (0.9, 0.95, 1.0)))
    if rng.random() < 0.25:
        b.render(rng.choice(("{pt_header}  {mrn_bare}\n", "{pt_header} {mrn}\n",
                             "{mrn_bare}  {pt_header}  {today:full}\n")), ctx)
    b.render(rng.choice(NURSING_HEADERS), ctx)
    b.text(rng.choice(("\n", "\n", " ", "\n\n")))
    if rng.random() < 0.45:
        b.render(rng.choice(NURSING_HPI), ctx)
        b.text(".\n" if rng.random() < 0.7 else ". ")
    r = rng.random()
    sec_sep = rng.choice(("\n", "\n", "\n\n", " "))
    newline_each = rng.choice((0.0, 0.0, 0.3, 0.8))
    if r < 0.68:
        first = True
        for key, pool, p in SYSTEMS:
            if rng.random() > p:
                continue
            if not first:
                b.text(sec_sep)
            first = False
            b.text(rng.choice(SECTION_HEADERS[key]) + rng.choice((" ", " ", "  ", "")))
            lo, hi = (2, 5) if key in ("neuro", "cv", "resp", "gigu") else (1, 3)
            sentences(ctx, b, pool, lo, hi, newline_each)
    elif r < 0.86:
        b.text("D: ")
        sentences(ctx, b, NEURO + CV + RESP + GIGU, 3, 6)
        b.text(sec_sep + "A: ")
        sentences(ctx, b, DAR_ACTION, 1, 3)
        b.text(sec_sep + "R: ")
        sentences(ctx, b, DAR_RESPONSE, 1, 2)
        b.text(sec_sep + rng.choice(("P: ", "Plan: ")))
        sentences(ctx, b, PLAN + SOCIAL, 1, 3)
    else:  # one run-on paragraph, no headings
        pool = NEURO + CV + RESP + GIGU + SOCIAL + PLAN
        sentences(ctx, b, pool, 5, 10)
    if rng.random() < 0.65:
        b.text(rng.choice(("\n", "\n", " ", "\n\n")))
        b.render("{sig}", ctx)
    b.text("\n" if rng.random() < 0.5 else "")


# -- discharge summary -------------------------------------------------------------------
DISCHARGE_MEDS = (
    "Metoprolol Tartrate 25 mg Tablet Sig: One (1) Tablet PO BID (2 times a day)",
    "Furosemide 40 mg Tablet Sig: One (1) Tablet PO DAILY (Daily)",
    "Aspirin 81 mg Tablet, Chewable Sig: One (1) Tablet, Chewable PO DAILY (Daily)",
    "Carbidopa-Levodopa 25-100 mg Tablet Sig: 1.5 Tablets PO TID (3 times a day)",
    "Warfarin 2.5 mg Tablet Sig: One (1) Tablet PO Once Daily at 4 PM",
    "Senna 8.6 mg Tablet Sig: 1-2 Tablets PO BID (2 times a day) as needed",
    "Lactulose 10 gram/15 mL Syrup Sig: Thirty (30) ML PO TID (3 times a day)",
    "Insulin Glargine 100 unit/mL Solution Sig: Eighteen (18) units Subcutaneous at bedtime",
    "Acetaminophen 325 mg Tablet Sig: 1-2 Tablets PO Q6H (every 6 hours) as needed for pain",
    "Levothyroxine 50 mcg Tablet Sig: One (1) Tablet PO DAILY (Daily)",
    "Donepezil 5 mg Tablet Sig: One (1) Tablet PO HS (at bedtime)",
    "Potassium Chloride 20 mEq Packet Sig: One (1) Packet PO once a day",
    "Vancomycin 1,000 mg Recon Soln Sig: One (1) Recon Soln Intravenous Q 12H for 10 days",
)

def discharge(ctx, b) -> None:
    rng = ctx.rng
    ctx.punct = (0.95, 0.97, 0.99)
    r = b.render
    r(rng.choice(("DISCHARGE SUMMARY\n\n", "Discharge Summary\n", "Admission Date: {admit}     Discharge Date: {today:full}\n\n")), ctx)
    r("Name: {pt_header}{|    |\n|  }{|Unit No:|MRN:|Med Rec #:|MR#} {mrn_bare}\n", ctx)
    if rng.random() < 0.9:
        r("Admission Date: {admit}{|   |\n}Discharge Date: {today:full}\n", ctx)
    r("Date of Birth: {dob}{|    |\n}Sex: {MF}\n", ctx)
    if rng.random() < 0.5:
        r("Address: {addr}\n", ctx)
    if rng.random() < 0.35:
        r("Phone: {phone}{|   |\n}{plan}\n", ctx)
    elif rng.random() < 0.3:
        r("{plan}\n", ctx)
    if rng.random() < 0.3:
        r("{ssn}{|   |\n}{|{acct}|}\n", ctx)
    elif rng.random() < 0.2:
        r("{acct}\n", ctx)
    r("Service: {|MEDICINE|SURGERY|CARDIOLOGY|NEUROLOGY|CSURG}\n", ctx)
    r("Attending: {dr:att}\n\n", ctx)
    r("Chief Complaint:\n{dx}\n\n", ctx)
    r("History of Present Illness:\n", ctx)
    r("{pt} is a {age} {man} with a history of {eponym:dx}, {~ABBREVIATION:CHF}, and {dx} who "
      "presented to {hosp} on {date:past} with {|shortness of breath|fever|altered mental status|"
      "abdominal pain|chest pain}. {He} was found to have {dx} and was transferred to {home} "
      "{ward} on {date:past}. ", ctx)
    if rng.random() < 0.6:
        r("Per {his} {rel}, {he} had been in {his} usual state of health until {weekday}. ", ctx)
    if rng.random() < 0.4:
        r("Of note, {he} was last admitted in {month_year} for {dx}. ", ctx)
    r("\n\nPast Medical History:\n", ctx)
    pmh = ["{eponym:dx}", "{dx}", "HTN", "hyperlipidemia", "s/p {eponym:proc} ({year})",
           "CABG in {year}", "{eponym:dx} dx {yy}", "DM2", "CKD stage III", "s/p appy as child",
           "{device}", "afib on coumadin"]
    for item in rng.sample(pmh, rng.randint(3, 6)):
        r(f"- {item}\n", ctx)
    r("\nSocial History:\n", ctx)
    sentences(ctx, b, (
        "Lives with {his} {spouse_word} in {city}",
        "Lives at {nh}",
        "Retired {|teacher|machinist|nurse|engineer|bus driver|secretary}",
        "Former smoker, quit in {year}",
        "Emigrated from {country} in {year}",
        "{rel_hcp} is health care proxy, {phone_lbl:rel}",
        "No ETOH or illicit drug use",
        "Has {|VNA|home health aide|PCA} {n:3-5} days a week through {|VNA of|Home Care of} {city}",
    ), 2, 4)
    r("\n\nFamily History:\n{|Mother with|Father with|Sister with} {eponym:dx}. {|Non-contributory|No early CAD|Mother alive, {age_other}|Father died at {age_other}}.\n\n", ctx)
    r("Physical Exam:\n{vitals}\nGen: {|NAD|elderly, frail|obese, comfortable}\n"
      "Neuro: A&Ox{n:1-3}, {eponym:sign} neg\n\n", ctx)
    r("Pertinent Results:\n", ctx)
    for _ in range(rng.randint(1, 3)):
        r("{ts:near} BLOOD {labs}\n", ctx)
    if rng.random() < 0.5:
        r("CXR ({date:past}): {|no acute process|bilateral effusions|RLL infiltrate}\n", ctx)
    r("\nBrief Hospital Course:\n", ctx)
    sentences(ctx, b, (
        "{He} was admitted to the {ward} and started on {|vanco/zosyn|ceftriaxone|lasix gtt}",
        "{eponym:device} was placed on {date:past} and removed on {date}",
        "On {date:past}, {he} developed {|afib|hypotension|delirium} and was seen by {dr}",
        "{lab:Hct} was stable after {dose}",
        "{He} was evaluated by PT who recommended rehab",
        "Goals of care were discussed with {rel_hcp} on {weekday}",
        "{He} underwent {proc} on {date:past} by {dr} without complication",
        "Family meeting held {date:past} with {rel} and {rel2}",
        "{eponym:dx} medications were continued",
    ), 3, 6, 0.3)
    r("\n\nDischarge Medications:\n", ctx)
    for i, med in enumerate(rng.sample(DISCHARGE_MEDS, rng.randint(2, 6))):
        b.text(f"{i + 1}. ")
        r(med + "\n", ctx)
    r("\nDischarge Disposition:\n{|Extended Care|Home With Service|Home}\n", ctx)
    if rng.random() < 0.7:
        r("Facility: {nh}{| - | in |, }{city}\n", ctx)
    r("\nDischarge Diagnosis:\n{dx}\n{eponym:dx}\n\nDischarge Condition:\n{|stable|good|fair}\n\n", ctx)
    r("Followup Instructions:\n", ctx)
    sentences(ctx, b, (
        "Provider: {dr:pcp} Phone: {phone:clinic} Date/Time: {ts}",
        "Please call Dr. {pcp_last} at {phone:clinic} to schedule appt within 1-2 weeks",
        "Follow up with {dr:pcp} on {fulldate:future} at {time}",
        "INR check on {date:future} at {home} anticoag clinic, {fax}",
        "Appointment with {dr} in {|cardiology|neurology|GI} clinic {month_dth_future}",
        "Call {phone:clinic} with questions; after hours page {pager:att}",
    ), 1, 3, 0.8)
    r("\n\n{sig:att}\n", ctx)
    if rng.random() < 0.6:
        r("Completed by: {dr:any} {today:full} {|{time}|}\n", ctx)
    if rng.random() < 0.3:
        r("{npi:att} {|{dea:att}|{lic}}\n", ctx)


# -- radiology report ----------------------------------------------------------------------
def radiology(ctx, b) -> None:
    rng = ctx.rng
    ctx.punct = (0.97, 0.99, 1.0)
    r = b.render
    exam = rng.choice(("CHEST (PORTABLE AP)", "CT HEAD W/O CONTRAST", "CT ABD & PELVIS W/CONTRAST",
                       "MR HEAD W & W/O CONTRAST", "BILAT LOWER EXT VEINS", "RENAL U.S.",
                       "CHEST (PA & LAT)", "CTA CHEST W&W/O C&RECONS"))
    r("{ts:near} " + exam + "{|   |  }{idcode:clip}\n", ctx)
    if rng.random() < 0.5:
        r("{pt_header}{|  |   }{mrn}{|   DOB: {dob}|}\n", ctx)
    r("Reason: {|eval for infiltrate|r/o PE|? bleed|eval for DVT|line placement|r/o obstruction}\n", ctx)
    r("Admitting Diagnosis: {dx}\n", ctx)
    r("______________________________________________________________________________\n", ctx)
    r("MEDICAL CONDITION:\n  {age:num} year old {man} with {dx}, {eponym:dx}\n", ctx)
    r("REASON FOR THIS EXAMINATION:\n  {|eval for change|r/o pneumothorax|assess tube placement|eval for acute process}\n", ctx)
    r("______________________________________________________________________________\n", ctx)
    r("{|FINAL REPORT|WET READ|PRELIMINARY REPORT}\n", ctx)
    r("HISTORY: {dx}.\n\n", ctx)
    r("COMPARISON: {|Prior study of {date:past}|{fulldate:past}|None|Outside films from {hosp} dated {date:past}}.\n\n", ctx)
    r("FINDINGS: ", ctx)
    sentences(ctx, b, (
        "{~EPONYM:Swan-Ganz catheter|Swan-Ganz} tip in the right main pulmonary artery",
        "Endotracheal tube {n:3-6} cm above the carina",
        "{~EPONYM:Dobhoff|Dobhoff tube} tip in the stomach",
        "There is a small left pleural effusion with adjacent atelectasis",
        "No pneumothorax",
        "Cardiomediastinal silhouette is {|stable|enlarged|within normal limits}",
        "Sternotomy wires from prior CABG",
        "{device} with leads in expected position",
        "No acute intracranial hemorrhage; chronic small vessel ischemic change",
        "{~EPONYM:Baker's cyst} measuring {n:2-5}.{n:0-9} cm",
        "Findings compatible with {~EPONYM:Crohn's disease|Hodgkin lymphoma|Paget's disease}",
        "Compared to {date:past}, the opacity has {|improved|worsened|not changed}",
    ), 2, 5, 0.5)
    r("\n\nIMPRESSION:\n1. {|No acute cardiopulmonary process|Stable appearance of lines and tubes|Worsening RLL opacity, ? PNA|No evidence of DVT}.\n", ctx)
    if rng.random() < 0.5:
        r("2. {|Findings discussed with|Wet read called to|Results communicated to} {dr} {|by telephone|in person} at {time} on {date}.\n", ctx)
    r("\n{|DR. {dr_upper_last}|Dictated by: {dr}|{dr}}\n", ctx)
    if rng.random() < 0.5:
        r("Approved: {|{ts}|{fulldate}}\n", ctx)
    if rng.random() < 0.4:
        r("Transcribed: {typist}\n", ctx)
    if rng.random() < 0.15:
        r("{|Workstation|Station IP|Viewed from}: {ip}\n", ctx)


# -- social work note / phone message ---------------------------------------------------
def social(ctx, b) -> None:
    rng = ctx.rng
    ctx.punct = rng.choice(((0.9, 0.95, 0.98), (0.5, 0.8, 0.9)))
    r = b.render
    if rng.random() < 0.5:  # phone message
        r("{|Telephone Encounter|Phone Message|PHONE CALL|Tel note|Message} {ts}\n", ctx)
        r("{|Caller|From|Call from}: {rel}{|, | }{phone_lbl:rel}\n", ctx)
        if rng.random() < 0.4:
            r("Re: {pt_header}{|, DOB {dob}|  {mrn}|}\n", ctx)
        r("{|Message|Msg|Reason}: ", ctx)
        sentences(ctx, b, (
            "{rel} called re: {|mom's|dad's|pt's} meds, would like call back",
            "{rel_name} called to ask about visiting hours on {holiday}",
            "pls call back at {phone:rel} after {time}",
            "states pt fell at home {weekday}, seen at {hosp}",
            "requests copy of records be faxed to {fax}",
            "asks if appt {date:future} can be moved to {weekday}",
            "{rel} asks that {dr:pcp} call {phone:cell}",
            "pt's insurance ({plan}) denied the claim, acct # on file",
            "{rel} wants to know results of CT from {date:past}",
            "lives at {street}, {city}, asks for VNA referral",
            "email sent to {email} per request",
            "pt {~MONTH_WORD:may} need refill of {~DOSE:lasix 40 mg|coumadin 5mg}",
        ), 1, 4, 0.3)
        r("\n{|Taken by:|Msg taken by|--} {sig:any}\n", ctx)
        return
    r("{|Social Work Note|SOCIAL WORK|SW Progress Note|Case Management Note|SW: Initial Assessment}\n", ctx)
    if rng.random() < 0.4:
        r("{pt_header}  {mrn}\n", ctx)
    sentences(ctx, b, (
        "Met with pt's {rel} and {rel2} at bedside",
        "{rel} at bedside, tearful",
        "daughter {rel_name_lower} called, updated on plan",
        "Pt lives alone in apt at {addr}",
        "Pt lives with {his} {spouse_word} in a {|single family home|2nd floor apt|condo} in {city}, {county}",
        "Mailing address {pobox}, {city} {zip}",
        "{rel_hcp} is HCP, {phone_lbl:rel}",
        "Pt has {plan}",
        "Pt's PCP is {dr:pcp}",
        "Referred to {|VNA of|Elder Services of|Council on Aging,} {city}",
        "Pt was {|a machinist|a teacher|a truck driver|an RN|a cook} until {year}, retired to {other_city}",
        "Pt is a veteran, VA # on file",
        "{rel} has POA, copy requested, {fax}",
        "Financial: Medicaid application started, {acct}",
        "Pt drives; car in hospital garage, {plate}",
        "Per police, pt's car ({vin}) was towed from {street}",
        "Family set up {url} for updates",
        "Pt grew up in {foreign_city}, came to US in {yy}",
        "Pt's {rel} ({age_other}) is primary caregiver",
        "Pt's {rel} {~MONTH_WORD:may} take pt home to {other_city}",
        "Screened for rehab: {nh}, {hosp} rehab unit",
        "Wife (name: {rel_name}) at bedside",
        "Will follow up {weekday}, {holiday} plans discussed",
        "pt's {|roommate|landlord|friend} {other:visitor} called",
        "Pt's SSN for Medicaid form: {ssn}",
        "Pt's DOB {dob} verified with {rel}",
        "Resides in {county}, eligible for county elder services",
        "{rel} set up {url} and shares it with church members",
        "Pt uses tablet for video calls; home wifi IP {ip} per {rel} for telehealth setup",
    ), 3, 7, 0.4)
    r("\n{sig:any}{| {lic}|}\n", ctx)


# -- progress note with signature blocks --------------------------------------------------
PROGRESS_ITEMS = (
    "{dx}: cont abx, f/u cx from {date:past}",
    "resp: wean vent as tol, {ratio}",
    "FEN: replete lytes, {lab:K}, {dose:ivf}",
    "{eponym:dx}: cont home meds, neuro f/u with {dr}",
    "dispo: screening for {nh}; {rel_hcp} aware",
    "code: full, discussed w/ {rel} on {weekday}",
    "access: {~EPONYM:Swan|Quinton|Hickman} placed {date:past}, PICC {|today|{date}}",
    "heme: {lab:Hct}, transfuse for <21, {dose}",
    "ID: {lab:WBC}, afebrile, d/c vanco {date:future}",
    "renal: {lab:bun_cr}, UOP {n:20-80}cc/hr, renal ({dr}) following",
    "neuro: {score:gcs}, {eponym:scale} documented, MRI {date:future}",
    "GI: {eponym:dx}, GI ({dr}) recs appreciated, {proc} {weekday}",
)

def progress(ctx, b) -> None:
    rng = ctx.rng
    ctx.punct = rng.choice(((0.9, 0.95, 0.98), (0.6, 0.85, 0.95)))
    r = b.render
    r("{|MICU Attending Progress Note|Resident Progress Note|Intern Progress Note|Medicine Progress Note|ICU Progress Note|Cardiology Fellow Note} {today}\n", ctx)
    if rng.random() < 0.3:
        r("{pt_header}{|  |, }{mrn}{|  {ssn}||}\n", ctx)
    r("{|S:|Subjective:|24h events:} ", ctx)
    sentences(ctx, b, (
        "No acute events overnight",
        "Pt c/o {|abd pain|SOB|nausea|back pain} this am",
        "Febrile to {vital:temp} at {time}",
        "{rel} at bedside, asking re: plan",
        "Pt states {he} wants to go home for {holiday}",
        "Sedation lightened, {score:rass}",
        "Spoke w/ {dr} overnight re: {dx}",
    ), 1, 3)
    r("\n{|O:|Objective:} {vitals}\n", ctx)
    r("Labs: {labs}\n", ctx)
    if rng.random() < 0.5:
        r("Chem: {lab:chem}   ABG: {lab:abg}\n", ctx)
    r("{|A/P:|Assessment/Plan:|A&P:} {age} {MF} with {dx}, {eponym:dx}\n", ctx)
    items = rng.sample(PROGRESS_ITEMS, rng.randint(2, 4))
    for i, item in enumerate(items):
        r(f"{i + 1}) " + item + "\n", ctx)
    if rng.random() < 0.35:
        r("I saw and examined the patient with Dr. {res_last}, and agree with the findings and plan as documented.\n", ctx)
    r(rng.choice(("Signed: {sig_block}\n", "{sig}\n", "{sig:att}\n", "{sig}\n{sig:att}\n",
                  "--{initials_pair}\n", "{dr:att} / {pager:att}\n")), ctx)
    if rng.random() < 0.2:
        r("{|{npi:att}|{lic}|{dea}}\n", ctx)


# -- transfer note -------------------------------------------------------------------------
def transfer(ctx, b) -> None:
    rng = ctx.rng
    ctx.punct = rng.choice(((0.85, 0.95, 0.98), (0.4, 0.8, 0.9)))
    r = b.render
    r("{|Transfer Note|TRANSFER NOTE|Nursing Transfer Summary|ICU Transfer Note|Accept note} {today}\n", ctx)
    sentences(ctx, b, (
        "Pt transferred from {hosp} {|ED|ICU|floor} to {ward} on {date:past} for {dx}",
        "{pt:full} transferred to {named_ward} at {time}, report to {rn}",
        "{pt:title_last} is {age:y/o} {man}, {pt:initials}, s/p {proc}",
        "Transferred from {hosp} via {|ambulance|MedFlight|ALS|BLS}",
        "Pt {~COMMON_WORD:will} go to {named_ward} when bed available",
        "Report given to {rn} on {named_ward} at {time}",
        "Report called to {rn}, {ward}, {phone:clinic}",
        "Accepting MD: {dr} ({pager})",
        "Sending MD: {dr:any} at {hosp}, {phone:facility}",
        "Pt came from {facility_room}",
        "Belongings: glasses, dentures, {|cell phone|wallet|hearing aids} sent with {rel}",
        "{rel} aware of transfer, will meet pt on {ward}",
        "Last BM {date:past}, last dose {dose} at {time}",
        "Pt in {room} on {ward}, {~ROOM:bed 2|bed A|rm 12}",
        "Transferred to {home} {ward} {date}; prior admission at {hosp} in {month_year}",
        "Records from {hosp} faxed ({fax})",
        "Code status: {|Full|DNR/DNI|DNR}, confirmed with {rel_hcp}",
        "{vitals}",
        "Pt's ID band and {mrn} verified with {rn}",
        "Outside hospital MRN {outside_mrn}",
        "Face sheet: {ssn}, {plan}, {phone_lbl}",
        "Pt s/p MVC, car ({vin}) towed per police, {idcode:case}",
        "EMS from {county} picked pt up at {street}",
    ), 4, 8, 0.5)
    if rng.random() < 0.6:
        r("\n{sig}{|, {lic}|}\n", ctx)


# -- short text ---------------------------------------------------------------------------
SHORT = (
    '{~ABBREVIATION:ED} {~ABBREVIATION:RN} called, pt {~MONTH_WORD:may} go to {ward} at {time} {~ABBREVIATION:PM}',
    'Pt (goes by {nick}) called, asking for {rel_name}',
    'Rx for {dose} sent, {dr:pcp} {dea:pcp}',
    "Pt's {|mother|father|aunt}, {age_other}, is in {nh}; pt visits daily",
    '{pt} called, wants to speak with {dr:pcp}',
    '{pt:initial_last} called re: meds, pls call {phone_lbl}',
    '{pt:initials} seen in clinic, f/u {month_dth_future}',
    '{pt:last_upper} {mrn_bare}: labs drawn, results to {dr:pcp}',
    '{pt:first_lower} called, feeling better',
    'Spoke with {pt:full} re: appt {date:future}',
    'VIN {vin} per tow company, car released to {rel}',
    '{device} transmission from {ip} reviewed by EP',
    'Home address on file: {addr}',
    "pt's {spouse_word} {rel_name} called, will visit {weekday}",
    "Spoke w/ {dr} re: {lab:K}, repleted",
    "Appt w/ {dr} {date:future} @ {time}, call {phone:clinic} to confirm",
    "Rx refill request for {pt_header}, DOB {dob}",
    "{rel} called, pls call back {phone_lbl:rel}",
    "Pt to {hosp} for {proc} {date:future}",
    "{age} {MF} w/ {dx}, seen by {dr:att} today",
    "Faxed H&P to {nh} at {fax}",
    "Pt's daughter {rel_name_lower} here, updated",
    "Letter mailed to {street}, {city} {zip}",
    "FYI pt called from {phone:cell}, feels better",
    "Portal msg from pt ({email}): asking about results",
    "{eponym:dx} f/u in clinic {month_dth_future} w/ {dr:pcp}",
    "{pt} seen in ED {date:past} for {dx}; returned to {nh}",
    "{rel} (HCP) aware, DNR confirmed {today}",
    "{pt} ambulated x2 with {~ABBREVIATION:PT}, {~MONTH_WORD:may} d/c {weekday}",
    "Med Rec # {mrn_bare} merged with old chart",
    "{device} checked remotely, transmission received from {ip}",
    "{pt} {age} with {eponym:dx}, wants to be home by {holiday}",
    "Portal msg from {email} (login from {ip}), asking for refill",
    "{rel} posted update on {url}",
    "Registration: {ssn}, {plan}",
    "Billing question re: {acct}, transferred to patient accounts",
    "Pt's car ({plate}) left in ED lot, security notified",
    "{age:age}, {MF}, {dx}, from {nh}",
    "{pt_header} ({age:age}) DOB {dob} {mrn}",
)


def short(ctx, b) -> None:
    rng = ctx.rng
    ctx.punct = (0.8, 0.9, 0.95)
    k = 1 if rng.random() < 0.6 else 2
    for i, t in enumerate(rng.sample(SHORT, k)):
        if i:
            b.text(rng.choice((". ", " ", "; ")))
        b.render(t, ctx)
    if rng.random() < 0.5:
        b.text(".")
    if rng.random() < 0.35:
        b.render(rng.choice((" {sig}", " -{rn}", " /{rn}")), ctx)


#: style name -> (writer, case weights (upper, lower, mixed))
STYLE_WRITERS = {
    "nursing": (nursing, (0.30, 0.25, 0.45)),
    "discharge": (discharge, (0.05, 0.0, 0.95)),
    "radiology": (radiology, (0.30, 0.0, 0.70)),
    "social": (social, (0.10, 0.20, 0.70)),
    "progress": (progress, (0.10, 0.10, 0.80)),
    "transfer": (transfer, (0.20, 0.15, 0.65)),
    "short": (short, (0.15, 0.35, 0.50)),
}
