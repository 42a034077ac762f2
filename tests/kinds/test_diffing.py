"""The declared-fields diff: only what the user wrote is compared, in normal form."""

from __future__ import annotations

from reconciler.kinds.diffing import declared, diff_fields, flatten, normal
from reconciler.kinds.moderation import desired_settings
from reconciler.plan import FieldChange
from reconciler.workspace.models import Channel, Moderation, Team, Workspace


def test_only_declared_fields_are_compared() -> None:
    channel = Channel(name="dev", display_name="Dev", purpose="p")
    desired = declared(channel, ("visibility", "purpose", "header"))
    assert desired == {"purpose": "p"}  # visibility and header were never written
    live = {"visibility": "private", "purpose": "p", "header": "set by hand"}
    assert diff_fields(desired, live) == ()


def test_a_declared_none_is_not_managed_but_a_declared_empty_string_is() -> None:
    channel = Channel(name="dev", display_name="Dev", purpose=None, header="")
    assert "purpose" in channel.model_fields_set
    desired = declared(channel, ("purpose", "header"))
    assert desired == {"header": ""}
    assert diff_fields(desired, {"purpose": "x", "header": "old"}) == (
        FieldChange("header", "old", ""),
    )


def test_a_field_absent_from_the_live_object_reads_as_none() -> None:
    assert diff_fields({"header": ""}, {}) == (FieldChange("header", None, ""),)
    assert diff_fields({"header": None}, {}) == ()


def test_changes_come_in_desired_order_with_live_before_and_declared_after() -> None:
    desired = {"b": 2, "a": 1, "c": 3}
    changes = diff_fields(desired, {"a": 0, "b": 0, "c": 3})
    assert changes == (FieldChange("b", 0, 2), FieldChange("a", 0, 1))


def test_unordered_lists_compare_as_sets_and_others_in_order() -> None:
    desired = {"allowed_domains": ["b.example", "a.example"], "trigger_words": ["x", "y"]}
    live = {"allowed_domains": ["a.example", "b.example"], "trigger_words": ["y", "x"]}
    changes = diff_fields(desired, live, unordered={"allowed_domains"})
    assert [c.field for c in changes] == ["trigger_words"]
    # a real difference still shows, with both sides as written
    changes = diff_fields({"allowed_domains": ["a.example"]}, live, unordered={"allowed_domains"})
    assert changes == (FieldChange("allowed_domains", ["a.example", "b.example"], ["a.example"]),)


def test_unordered_comparison_holds_for_tuples_too() -> None:
    # a kind may pass values straight from the frozen models (tuples)
    desired = {"allowed_domains": ("b.example", "a.example")}
    live = {"allowed_domains": ["a.example", "b.example"]}
    assert diff_fields(desired, live, unordered={"allowed_domains"}) == ()


def test_unordered_lists_still_count_duplicates_and_missing_values() -> None:
    live = {"allowed_domains": ["a.example"]}
    assert diff_fields(
        {"allowed_domains": ["a.example", "a.example"]}, live, unordered={"allowed_domains"}
    )
    assert diff_fields(
        {"allowed_domains": []}, {"allowed_domains": None}, unordered={"allowed_domains"}
    )


def test_normal_form_turns_models_and_tuples_into_json_values() -> None:
    team = Team(name="asd", display_name="ASD", allowed_domains=("a.example",))
    assert normal(team) == {"name": "asd", "display_name": "ASD", "allowed_domains": ["a.example"]}
    assert normal({"k": ("a", ("b",))}) == {"k": ["a", ["b"]]}


def test_nested_moderation_flattens_to_declared_leaves_only() -> None:
    mod = Moderation.model_validate({"guests": {"post": True}, "members": {"reactions": False}})
    assert flatten(normal(mod)) == {"guests.post": True, "members.reactions": False}
    live = {
        "guests.post": True,
        "guests.reactions": True,
        "members.post": True,
        "members.reactions": True,
    }
    assert diff_fields(flatten(normal(mod)), live) == (
        FieldChange("members.reactions", True, False),
    )


def test_moderation_declared_none_leaves_are_not_managed() -> None:
    ws = Workspace.model_validate(
        {
            "version": 1,
            "policy": {"classes": {}},
            "teams": [
                {
                    "name": "asd",
                    "display_name": "ASD",
                    "channels": [
                        {
                            "name": "dev",
                            "display_name": "Dev",
                            "moderation": {"guests": {"post": None, "reactions": True}},
                        }
                    ],
                }
            ],
        }
    )
    channel = ws.teams[0].channels[0]
    assert desired_settings(channel, ws) == {"guests.reactions": True}


def test_moderation_class_defaults_merge_under_the_channels_own_values() -> None:
    ws = Workspace.model_validate(
        {
            "version": 1,
            "policy": {
                "classes": {
                    "alert": {"moderation": {"members": {"post": False, "reactions": True}}}
                }
            },
            "teams": [
                {
                    "name": "asd",
                    "display_name": "ASD",
                    "channels": [
                        {
                            "name": "alert-ops",
                            "display_name": "Ops",
                            "moderation": {"members": {"reactions": False}},
                        },
                        {"name": "alert-db", "display_name": "DB"},
                    ],
                }
            ],
        }
    )
    own, inherited = ws.teams[0].channels
    assert desired_settings(own, ws) == {"members.post": False, "members.reactions": False}
    assert desired_settings(inherited, ws) == {"members.post": False, "members.reactions": True}
