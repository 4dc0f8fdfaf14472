"""Datasets and measures between two contract versions (RECORDS.md): definitions in words.

A measure's definition decides which records count, so ``diff`` shows each changed part of
it — the dataset, the ``by`` date, counting people, the denominator, numerator, mean or
count condition — with the old and the new wording (``model/wording.py``, the words the
Schedule uses). Whether a change is stricter or looser for the provider is said only where it
follows from the definitions alone, whatever the records (docs/diff.md):

- a condition that only adds a requirement (``A`` → ``A and B``, or none → ``B``) can only
  count fewer records; one that only drops a requirement, or offers an alternative
  (``A`` → ``A or B``), more. Anything else is "changed" (neutral): who gains depends on
  the data;
- a count that counts fewer is a lower value; a proportion whose numerator counts fewer,
  with the same denominator, dataset, ``by`` date and counting, is a lower value (its
  numerator is a part of the same denominator). A lower value is stricter when higher is
  better, looser when lower is — judged only where the indicator keeps its direction and
  both versions read alike the fields the unchanged part uses (the ``by`` date, the shared
  requirements, the denominator; the person when people are counted): a field read from
  another column is other data, another person field other people. A denominator, a mean,
  a ``by`` date or a dataset changed is neutral: the value can move either way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

from obc_check.diff.changes import Effect, Kind
from obc_check.model import (
    And,
    Cond,
    Contract,
    DataField,
    Dataset,
    FieldRef,
    Indicator,
    Measure,
    Or,
)
from obc_check.model.wording import cond_words, expr_words, field_name, measure_terms, nodes

Narrower = Literal["narrower", "wider", "other", "same"]


@dataclass(frozen=True, slots=True)
class Found:
    """One change, before the differ records it (paths and subjects as compare.py's)."""

    path: str
    subject: str
    field: str
    kind: Kind
    old: str | None
    new: str | None
    effect: Effect
    why: str
    breaks_data: bool = False


def _key(node: object) -> str:
    """A node's meaning as text: spans (positions in the source) left out."""
    dump = node.model_dump(mode="json") if hasattr(node, "model_dump") else node
    return json.dumps(dump, sort_keys=True)


def _conjuncts(c: Cond | None) -> set[str] | None:
    """The requirements a condition makes (None: no condition, every record)."""
    if c is None:
        return None
    return {_key(i) for i in c.items} if isinstance(c, And) else {_key(c)}


def _disjuncts(c: Cond) -> set[str]:
    return {_key(i) for i in c.items} if isinstance(c, Or) else {_key(c)}


def compare_conditions(old: Cond | None, new: Cond | None) -> Narrower:
    """Whether ``new`` admits no more records than ``old``, no fewer, or cannot be told.

    ``narrower``: certainly no more (it keeps every requirement and adds one, or drops an
    alternative); ``wider``: certainly no fewer; ``other``: it depends on the records.
    """
    if _key(old) == _key(new):
        return "same"
    a, b = _conjuncts(old), _conjuncts(new)
    if a is None:
        return "narrower"  # every record → only those that meet a condition
    if b is None:
        return "wider"
    if a < b:
        return "narrower"  # all the old requirements, and more
    if b < a:
        return "wider"
    assert old is not None and new is not None
    da, db = _disjuncts(old), _disjuncts(new)
    if db < da:
        return "narrower"  # fewer alternatives
    if da < db:
        return "wider"
    return "other"


def _cond_text(c: Cond | None) -> str:
    return cond_words(c) if c is not None else "every record of the year"


def _lower_value(ind: Indicator) -> tuple[Effect, str]:
    """The effect of a value that can only fall, by the indicator's direction."""
    if ind.direction == "higher":
        return "stricter", "higher is better"
    if ind.direction == "lower":
        return "looser", "lower is better"
    return "neutral", "the indicator has no direction"


def measure_changes(old_c: Contract, new_c: Contract, a: Indicator, b: Indicator,
                    path: str, subject: str) -> list[Found]:
    """The changes of one indicator's measure (both versions have the indicator)."""
    ma, mb = a.measure, b.measure
    if ma is None and mb is None:
        return []
    p = f"{path}.measure"
    if ma is None or mb is None:
        m, c, ind = (mb, new_c, b) if ma is None else (ma, old_c, a)
        assert m is not None
        ds = c.dataset(m.dataset)
        words = measure_terms(ind, m, ds) if ds is not None else m.dataset
        text = f"from Dataset {m.dataset}: {words}"
        if ma is None:
            return [Found(p, subject, "measure", "added", None, text, "neutral",
                          "the value is now computed from records, not given; a row of the "
                          "indicators table for it is now an error", breaks_data=True)]
        return [Found(p, subject, "measure", "removed", text, None, "neutral",
                      "the value is now given in the indicators table, not computed from "
                      "records")]
    out: list[Found] = []
    if _key(ma) == _key(mb):
        return out
    same_counting = (ma.dataset == mb.dataset and ma.by == mb.by
                     and ma.counting_people == mb.counting_people and a.direction == b.direction)
    if ma.dataset != mb.dataset:
        out.append(Found(f"{p}.dataset", subject, "measure dataset", "changed",
                         f"Dataset {ma.dataset}", f"Dataset {mb.dataset}", "neutral",
                         "the records counted are other records: the value can move either "
                         "way"))
    if ma.by != mb.by:
        out.append(Found(f"{p}.by", subject, "measure by", "changed",
                         f"the Contract Year of {field_name(ma.by)}",
                         f"the Contract Year of {field_name(mb.by)}", "neutral",
                         "another date places each record in its year: records move between "
                         "years either way"))
    if ma.shape != mb.shape:
        out.append(Found(f"{p}.shape", subject, "measure", "changed",
                         measure_terms(a, ma, _ds(old_c, ma)),
                         measure_terms(b, mb, _ds(new_c, mb)), "neutral",
                         "the value is another kind of figure"))
        return out
    if ma.counting_people != mb.counting_people:
        effect: Effect = "neutral"
        why = "counting each person once a year, or each record, moves the value either way"
        if (ma.shape == "count" and _key(ma.where) == _key(mb.where)
                and ma.dataset == mb.dataset and ma.by == mb.by and a.direction == b.direction
                and _read_alike(old_c, new_c, ma.dataset, {ma.by} | _fields(ma.where))):
            lower, direction = _lower_value(b)
            effect = lower if mb.counting_people else _opposite(lower)
            why = (f"people counted once a year are never more than their records: the "
                   f"count can only {'fall' if mb.counting_people else 'rise'} ({direction})")
        out.append(Found(f"{p}.counting_people", subject, "measure counting people",
                         "changed", _counting(ma), _counting(mb), effect, why))
    conds = (("denominator", ma.denominator, mb.denominator),
             ("numerator", ma.numerator, mb.numerator),
             ("where", ma.where, mb.where))
    for name, x, y in conds:
        if _key(x) == _key(y) or (ma.shape == "proportion") == (name == "where"):
            continue
        # a numerator is a part of its denominator: it alone moves the value one way
        same_base = same_counting and (name != "numerator"
                                       or _key(ma.denominator) == _key(mb.denominator))
        # the part both versions share must read the same columns (and people the same field)
        shared = {ma.by} | (_fields(x) & _fields(y)) | (
            _fields(ma.denominator) if name == "numerator" else set())
        same_base = same_base and _read_alike(old_c, new_c, ma.dataset, shared) and (
            not ma.counting_people or _same_person(old_c, new_c, ma.dataset))
        out.append(_condition(a, b, ma, p, subject, name, x, y, same_base))
    if _key(ma.value) != _key(mb.value) and ma.value is not None and mb.value is not None:
        out.append(Found(f"{p}.mean", subject, "measure mean of", "changed",
                         expr_words(ma.value), expr_words(mb.value), "neutral",
                         "the mean is of another value: it can move either way"))
    return out


def _condition(a: Indicator, b: Indicator, m: Measure, p: str, subject: str, name: str,
               x: Cond | None, y: Cond | None, same_base: bool) -> Found:
    """A changed condition, with its effect only where it is certain (module doc)."""
    how = compare_conditions(x, y)
    effect: Effect = "neutral"
    fewer = {"narrower": "fewer", "wider": "more"}.get(how)
    why = "the condition changed: whether more or fewer records meet it depends on the records"
    if fewer is not None:
        why = (f"the new condition admits no {'more' if fewer == 'fewer' else 'fewer'} "
               f"records than the old one")
        counted = (m.shape == "count" and name == "where") or (
            m.shape == "proportion" and name == "numerator")
        if name == "denominator":
            why += ", but a denominator moves a proportion either way"
        elif m.shape == "mean":
            why += ", but a mean over other records can move either way"
        elif counted and same_base and a.unit == b.unit:
            lower, direction = _lower_value(b)
            effect = lower if fewer == "fewer" else _opposite(lower)
            rises = "fall" if fewer == "fewer" else "rise"
            why += f": the value can only {rises} or stay, and {direction}"
        elif counted:
            why += (", but not of the same records judged the same way (the denominator, "
                    "the counting, the direction or a column a shared part reads changed too)")
    field = "measure mean where" if m.shape == "mean" else (
        "measure count where" if m.shape == "count" else f"measure {name}")
    return Found(f"{p}.{name}", subject, field, "changed", _cond_text(x), _cond_text(y),
                 effect, why)


def _fields(c: Cond | None) -> set[str]:
    """The fields a condition reads."""
    return {n.name for n in nodes(c) if isinstance(n, FieldRef)}


def _read_alike(old_c: Contract, new_c: Contract, ds_id: str, names: set[str]) -> bool:
    """Whether both versions read these fields of the dataset alike (type and column).

    Only then does "the new condition admits fewer records" hold of the same records: a
    field read from another column, or as another type, is other data.
    """
    x, y = old_c.dataset(ds_id), new_c.dataset(ds_id)
    if x is None or y is None:
        return False
    fx, fy = {f.name: f for f in x.fields}, {f.name: f for f in y.fields}
    return all(n in fx and n in fy and _key(fx[n]) == _key(fy[n]) for n in names)


def _same_person(old_c: Contract, new_c: Contract, ds_id: str) -> bool:
    """Counting people: the same person field, read alike (else other people are counted)."""
    x, y = old_c.dataset(ds_id), new_c.dataset(ds_id)
    return (x is not None and y is not None and x.person == y.person
            and (x.person is None or _read_alike(old_c, new_c, ds_id, {x.person})))


def _opposite(e: Effect) -> Effect:
    return {"stricter": "looser", "looser": "stricter"}.get(e, e)  # type: ignore[return-value]


def _counting(m: Measure) -> str:
    return "each person once a Contract Year" if m.counting_people else "each record"


def _ds(c: Contract, m: Measure) -> Dataset:
    ds = c.dataset(m.dataset)
    assert ds is not None
    return ds


# ---- datasets --------------------------------------------------------------------------------
def _field_text(f: DataField) -> str:
    column = f' from "{f.column}"' if f.column != f.name else ""
    return f"{field_name(f.name)} ({f.name}), {f.type}{column}"


def _dataset_text(ds: Dataset) -> str:
    return f'"{ds.title}": ' + "; ".join(_field_text(f) for f in ds.fields)


def dataset_changes(old_c: Contract, new_c: Contract) -> list[Found]:
    """Datasets by identifier: added, removed, and their title, fields, key and person."""
    out: list[Found] = []
    a = {d.id: d for d in old_c.datasets}
    b = {d.id: d for d in new_c.datasets}
    order = [d.id for d in old_c.datasets] + [d.id for d in new_c.datasets if d.id not in a]
    for ident in order:
        x, y = a.get(ident), b.get(ident)
        path, subject = f"dataset.{ident}", f"dataset {ident}"
        if x is None and y is not None:
            out.append(Found(path, subject, "", "added", None, _dataset_text(y), "neutral",
                             "the shape of a table of records; the measures over it are "
                             "compared under their indicators"))
            continue
        if y is None and x is not None:
            out.append(Found(path, subject, "", "removed", _dataset_text(x), None, "neutral",
                             "the shape of a table of records; the measures over it are "
                             "compared under their indicators"))
            continue
        assert x is not None and y is not None
        if x.title != y.title:
            out.append(Found(f"{path}.title", subject, "title", "changed", x.title, y.title,
                             "neutral", "a title does not change what is counted"))
        fa = {f.name: f for f in x.fields}
        fb = {f.name: f for f in y.fields}
        for name in [*fa, *(n for n in fb if n not in fa)]:
            f, g = fa.get(name), fb.get(name)
            fp = f"{path}.field.{name}"
            if f is None and g is not None:
                out.append(Found(fp, subject, f"field {name}", "added", None, _field_text(g),
                                 "neutral", f"every extract must now have the column "
                                 f"\"{g.column}\": one without it no longer loads",
                                 breaks_data=True))
            elif g is None and f is not None:
                out.append(Found(fp, subject, f"field {name}", "removed", _field_text(f),
                                 None, "neutral", "the column is no longer read"))
            elif f is not None and g is not None and (f.type, f.column) != (g.type, g.column):
                moved = f.column != g.column
                out.append(Found(
                    fp, subject, f"field {name}", "changed", _field_text(f), _field_text(g),
                    "neutral", (f"the field is read from the column \"{g.column}\": an "
                                f"extract with only \"{f.column}\" no longer loads")
                    if moved else "the field's values are read as another type: values "
                                  "that were valid may now be errors", breaks_data=moved))
        for what in ("key", "person"):
            old_v, new_v = getattr(x, what), getattr(y, what)
            if old_v != new_v:
                kind: Kind = ("added" if old_v is None else "removed" if new_v is None
                              else "changed")
                why = (f"the {what} field must be present in every record"
                       + (" and unique" if what == "key" else "")
                       + ": records that were valid may now be errors" if new_v is not None
                       else f"no field is the {what} any more")
                out.append(Found(f"{path}.{what}", subject, what, kind,
                                 field_name(old_v) if old_v else None,
                                 field_name(new_v) if new_v else None, "neutral", why))
        if x.text != y.text:
            out.append(Found(f"{path}.text", subject, "text", "changed", "\n\n".join(x.text),
                             "\n\n".join(y.text), "neutral",
                             "text is explanation: it does not change what is paid or owed"))
    return out
