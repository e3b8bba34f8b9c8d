"""Facts go in with COPY on PostgreSQL and multi-row INSERTs elsewhere: same rows either way."""

import uuid

from stats.models import ComplianceControlFact
from stats.normalise import _copy_field
from stats.services import ingest_batch
from stats.validation import validate_batch
from statsservice.testing.seed import record


def test_copy_fields_escape_what_copy_s_text_format_would_misread():
    assert _copy_field(None) == "\\N"
    assert _copy_field("a\tb\\c\nd\re") == "a\\tb\\\\c\\nd\\re"
    assert _copy_field("plain") == "plain"
    assert _copy_field(True) == "t"
    assert _copy_field(3) == "3"
    assert _copy_field(0.25) == "0.25"
    given = uuid.UUID("2dc336a9-9610-545d-9328-5be377a2110a")
    assert _copy_field(given) == str(given)


def test_awkward_control_codes_are_stored_as_sent(make_client):
    client, _ = make_client()
    compliance = record("compliance", "2026-01-05")
    controls = compliance["data"][0]["current"][0]["controls"]
    controls[0]["code"] = "5.1\t1 \\ \\N"
    controls[1]["code"] = "5.1\n2"
    ingest_batch(client=client, records=validate_batch([compliance], max_records=5))
    codes = set(ComplianceControlFact.objects.values_list("code", flat=True))
    assert {"5.1\t1 \\ \\N", "5.1\n2"} <= codes
