"""manifest.yml: valid against Slack's manifest JSON Schema, and matching what the code needs.

The schema is Slack's own (github.com/slackapi/manifest-schema), vendored in
``<repo>/../shared/testdata/slack-manifest-schema``. Its root ``manifest.schema.json``
dispatches on ``_metadata.major_version`` to ``schemas/manifest.schema.<version>.json``
through absolute ``raw.githubusercontent.com`` URLs; we register the local copies under
those URLs so every ``$ref`` resolves offline, and any other remote ref fails loudly.
"""

from __future__ import annotations

import copy
import functools
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator, ValidationError
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT7

REPO = Path(__file__).resolve().parents[2]
MANIFEST = REPO / "manifest.yml"
SCHEMA_DIR = REPO.parent / "shared" / "testdata" / "slack-manifest-schema"
ROOT_SCHEMA = SCHEMA_DIR / "manifest.schema.json"
EVENTS_PATH = "/slack/events"


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    data = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert isinstance(data, dict), "manifest.yml must be a YAML mapping"
    return data


def _no_network(uri: str) -> Resource:
    raise NoSuchResource(ref=uri)


def _remote_refs(node: Any) -> set[str]:
    """Every absolute (non-fragment) $ref in a schema document."""
    if isinstance(node, dict):
        found = {node["$ref"]} if str(node.get("$ref", "#")).startswith("http") else set()
        return found.union(*(_remote_refs(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_remote_refs(value) for value in node))
    return set()


def _require_schema() -> None:
    """Skip without the shared schema, or fail when TWOLOOP_REQUIRE_SHARED=1 (e.g. in CI)."""
    if not ROOT_SCHEMA.is_file():
        reason = f"Slack manifest schema not found at {ROOT_SCHEMA} (shared testdata is absent)"
        if os.environ.get("TWOLOOP_REQUIRE_SHARED") == "1":
            pytest.fail(f"{reason}; TWOLOOP_REQUIRE_SHARED=1 requires it")
        pytest.skip(reason)


@functools.cache
def _build_validator() -> Draft7Validator:
    root = json.loads(ROOT_SCHEMA.read_text(encoding="utf-8"))
    resources = [(root["$id"], DRAFT7.create_resource(root))]
    refs = _remote_refs(root)
    assert refs, "root schema no longer dispatches to versioned schemas via $ref"
    for uri in sorted(refs):
        local = SCHEMA_DIR / "schemas" / uri.rsplit("/", 1)[-1]
        assert local.is_file(), f"{uri} has no local copy at {local}"
        schema = json.loads(local.read_text(encoding="utf-8"))
        Draft7Validator.check_schema(schema)
        resources.append((uri, DRAFT7.create_resource(schema)))

    Draft7Validator.check_schema(root)
    registry = Registry(retrieve=_no_network).with_resources(resources)
    return Draft7Validator(root, registry=registry)


def _validator() -> Draft7Validator:
    # Called in the test body, not from a fixture: with TWOLOOP_REQUIRE_SHARED=1 a missing
    # schema must be a test FAILURE (a fixture would report it as a setup error).
    _require_schema()
    return _build_validator()


def _all_errors(errors: Any) -> list[ValidationError]:
    """Errors with the sub-errors of every oneOf/anyOf branch, flattened."""
    flat: list[ValidationError] = []
    for error in errors:
        flat.append(error)
        flat.extend(_all_errors(error.context or []))
    return flat


def test_manifest_is_valid_against_slack_schema(manifest: dict[str, Any]) -> None:
    errors = _all_errors(_validator().iter_errors(manifest))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def test_background_color_is_a_hex_color(manifest: dict[str, Any]) -> None:
    _require_schema()
    # The schema spells this constraint "regex" instead of "pattern", so the validator
    # ignores it; apply it here so a bad color does not reach Slack's API first.
    # (No _metadata in manifest.yml, so the root schema dispatches to version 1.0.0.)
    v1 = json.loads((SCHEMA_DIR / "schemas" / "manifest.schema.1.0.0.json").read_text())
    display = v1["definitions"]["app-manifests.v1.display_information.schema"]
    regex = display["properties"]["background_color"]["regex"]
    assert re.fullmatch(regex, manifest["display_information"]["background_color"])


def _break_scope_type(m: dict[str, Any]) -> None:
    m["oauth_config"]["scopes"]["workspace"] = ["chat:write"]


def _drop_command_description(m: dict[str, Any]) -> None:
    del m["features"]["slash_commands"][0]["description"]


@pytest.mark.parametrize(
    ("breakage", "path", "keyword"),
    [
        (_break_scope_type, ["oauth_config", "scopes"], "additionalProperties"),
        (_drop_command_description, ["features", "slash_commands", 0], "required"),
    ],
    ids=["unknown-scope-type", "command-without-description"],
)
def test_schema_rejects_broken_manifest(
    manifest: dict[str, Any],
    breakage: Any,
    path: list[Any],
    keyword: str,
) -> None:
    broken = copy.deepcopy(manifest)
    breakage(broken)
    errors = _all_errors(_validator().iter_errors(broken))
    assert errors, "schema accepted a broken manifest: validation is not really running"
    assert any(list(e.absolute_path) == path and e.validator == keyword for e in errors), [
        (list(e.absolute_path), e.validator, e.message) for e in errors
    ]


def _request_urls(node: Any) -> list[str]:
    if isinstance(node, dict):
        here = [v for k, v in node.items() if k in ("request_url", "url") and isinstance(v, str)]
        return here + [u for v in node.values() for u in _request_urls(v)]
    if isinstance(node, list):
        return [u for v in node for u in _request_urls(v)]
    return []


def test_single_twoloop_slash_command(manifest: dict[str, Any]) -> None:
    commands = manifest["features"]["slash_commands"]
    assert [c["command"] for c in commands] == ["/twoloop"]


def test_interactivity_is_on(manifest: dict[str, Any]) -> None:
    assert manifest["settings"]["interactivity"]["is_enabled"] is True


def test_all_slack_traffic_goes_to_slack_events(manifest: dict[str, Any]) -> None:
    urls = _request_urls(manifest)
    assert len(urls) == 3, urls  # events, interactivity, slash command
    assert all(url.endswith(EVENTS_PATH) for url in urls), urls


def test_app_home(manifest: dict[str, Any]) -> None:
    assert "app_home_opened" in manifest["settings"]["event_subscriptions"]["bot_events"]
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True


def test_bot_scopes(manifest: dict[str, Any]) -> None:
    scopes = manifest["oauth_config"]["scopes"]["bot"]
    assert {"chat:write", "commands"} <= set(scopes)
