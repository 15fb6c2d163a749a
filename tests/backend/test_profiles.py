"""Profiles: a wallet changes only its own; operators read any; bad input changes nothing."""

from backend.db import session
from backend.db.models import Profile
from tests.backend.conftest import ALICE, BOB, OPERATOR
from tests.backend.test_app import assert_error


def test_a_wallet_updates_and_reads_its_own_profile(client, alice):
    response = client.patch(f"/profiles/{ALICE.address.lower()}", json={"display_name": "Alice"}, headers=alice)
    assert response.status_code == 200 and response.get_json()["display_name"] == "Alice"
    me = client.get("/me", headers=alice).get_json()
    assert me["wallet"] == ALICE.address and me["display_name"] == "Alice"
    assert me["verified"] == {} and me["email"] is None


def test_another_wallets_profile_is_off_limits(client, app, alice, operator):
    client.patch(f"/profiles/{BOB.address}", json={"display_name": "x"}, headers=alice)
    assert_error(client.patch(f"/profiles/{BOB.address}", json={"display_name": "x"}, headers=alice), 403,
                 "not_your_profile")
    assert_error(client.patch(f"/profiles/{ALICE.address}", json={"display_name": "op"}, headers=operator), 403)
    assert_error(client.get(f"/profiles/{OPERATOR.address}", headers=alice), 403)
    with app.app_context():
        assert session().get(Profile, BOB.address) is None and session().get(Profile, ALICE.address) is None


def test_operators_read_profiles_and_unknown_ids_are_404(client, alice, operator):
    client.patch(f"/profiles/{ALICE.address}", json={"display_name": "Alice"}, headers=alice)
    assert client.get(f"/profiles/{ALICE.address}", headers=operator).get_json()["display_name"] == "Alice"
    assert_error(client.get(f"/profiles/{BOB.address}", headers=operator), 404)
    assert_error(client.get("/profiles/not-an-address", headers=operator), 404)


def test_bad_profile_input_writes_nothing(client, app, alice):
    for body in ({"display_name": 7}, {"display_name": ""}, {"email": "a@b.co"}, {"display_name": "x" * 81}):
        assert_error(client.patch(f"/profiles/{ALICE.address}", json=body, headers=alice), 422)
    with app.app_context():
        assert session().get(Profile, ALICE.address) is None
