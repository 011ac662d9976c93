"""SpanSet: the sorted span container the recognizers use instead of list scans (so a text with
thousands of matches costs n log n, not n^2). Checked against a naive list implementation."""

from hypothesis import given, settings
from hypothesis import strategies as st

from deid.text.recognizers._base import SpanSet

spans = st.lists(
    st.tuples(st.integers(0, 200), st.integers(1, 20), st.floats(0, 1, allow_nan=False)).map(
        lambda t: (t[0], t[0] + t[1], t[2])
    ),
    max_size=60,
)


def naive_add(held, s, e, score):
    if any(s < b and a < e for a, b, _ in held):
        return False
    held.append((s, e, score))
    return True


def naive_merge(held, s, e, score):
    changed = True
    while changed:
        changed = False
        for i, (a, b, sc) in enumerate(held):
            if s < b and a < e:
                held.pop(i)
                s, e, score = min(a, s), max(b, e), max(sc, score)
                changed = True
                break
    held.append((s, e, score))


@settings(max_examples=200, deadline=None)
@given(spans)
def test_add_agrees_with_a_list_scan(items):
    fast, slow = SpanSet(), []
    for s, e, sc in items:
        assert fast.add(s, e, sc) == naive_add(slow, s, e, sc)
    assert fast.items() == sorted(slow)


@settings(max_examples=200, deadline=None)
@given(spans)
def test_merge_agrees_with_a_list_scan(items):
    fast, slow = SpanSet(), []
    for s, e, sc in items:
        fast.merge(s, e, sc)
        naive_merge(slow, s, e, sc)
    assert fast.items() == sorted(slow)
    got = fast.items()
    assert all(a[1] <= b[0] for a, b in zip(got, got[1:]))  # sorted, disjoint


def test_overlaps():
    held = SpanSet()
    held.add(10, 20)
    assert held.overlaps(15, 16) and held.overlaps(5, 11) and held.overlaps(19, 30)
    assert not held.overlaps(0, 10) and not held.overlaps(20, 25)
