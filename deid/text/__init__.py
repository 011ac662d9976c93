"""deid.text: find PHI in free-text clinical notes and replace it.

>>> from deid.text import Scrubber
>>> s = Scrubber(key="an example key that is long enough")
>>> [f.entity_type for f in s.detect("daughter margie called from 617-555-0142")]
['NAME', 'PHONE']
"""

from deid.text._finding import Finding, ScrubResult
from deid.text._known import KnownIdentifiers
from deid.text._scrubber import DEFAULT_SPACY_MODEL, Scrubber, detect, scrub_text

__all__ = ["DEFAULT_SPACY_MODEL", "Finding", "KnownIdentifiers", "ScrubResult", "Scrubber", "detect", "scrub_text"]
