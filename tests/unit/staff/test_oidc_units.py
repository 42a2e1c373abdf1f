"""The pure parts of OpenID Connect sign-in: claim mapping (deny by default), sealed cookies, and the
settings production refuses."""

from __future__ import annotations

import pytest

from shared.keys import Keyring
from shared.oidc import ClaimMapping, map_claims
from shared.settings import InsecureSettings, Settings
from shared.web.oidc import seal, unseal

pytestmark = pytest.mark.unit

STRONG = "x9Qm2Lr7Vt4Kp8Zs1Nc6Hw3Jd5Fg0Yb-strong-enough"


def test_provider_claims_become_our_roles_and_scope():
    user = map_claims(
        {"sub": "kari", "selvhjelp_roles": ["staff", "admin"], "selvhjelp_district": "nord"}, ClaimMapping()
    )
    assert user is not None and user.roles == {"staff"} and user.district == "nord"
    contact = map_claims(
        {"sub": "berit", "selvhjelp_roles": "contact_point", "selvhjelp_municipalities": ["1804"]},
        ClaimMapping(),
    )
    assert contact is not None and contact.roles == {"contact_point"} and contact.municipalities == {"1804"}


def test_a_role_map_for_providers_with_their_own_names():
    mapping = ClaimMapping(roles="roles", role_values={"Selvhjelp.Kontor": "staff"}, district="office")
    user = map_claims({"sub": "x", "roles": ["Selvhjelp.Kontor", "Other"], "office": "nord"}, mapping)
    assert user is not None and user.roles == {"staff"}


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": "x"},  # no roles at all
        {"sub": "x", "selvhjelp_roles": ["guest"]},  # none of ours
        {"sub": "x", "selvhjelp_roles": ["staff"]},  # staff without a district: not widened to all
        {"selvhjelp_roles": ["national"]},  # no subject
    ],
)
def test_no_role_no_entry(claims):
    assert map_claims(claims, ClaimMapping()) is None


def test_sealed_cookies_are_private_bound_to_their_purpose_and_expire():
    ring = Keyring.single(STRONG)
    value = seal(ring, "flow", {"verifier": "secret-verifier"}, 60)
    assert "secret-verifier" not in value
    assert unseal(ring, "flow", value)["verifier"] == "secret-verifier"
    assert unseal(ring, "hint", value) is None  # another purpose
    assert unseal(ring, "flow", value[:-2] + "AA") is None  # tampered
    assert unseal(Keyring.single(STRONG[::-1]), "flow", value) is None  # another key
    assert unseal(ring, "flow", seal(ring, "flow", {}, -1)) is None  # expired


def test_production_refuses_an_http_issuer_or_one_without_client_credentials():
    safe = {"signing_key": STRONG, "identity_hmac_key": STRONG[::-1]}
    with pytest.raises(InsecureSettings, match="https"):
        Settings(
            **safe, oidc_issuer="http://login.example.org", oidc_client_id="c", oidc_client_secret="s"
        ).refuse_if_insecure()
    with pytest.raises(InsecureSettings, match="OIDC_CLIENT_ID"):
        Settings(**safe, oidc_issuer="https://login.example.org").refuse_if_insecure()
    Settings(
        **safe, oidc_issuer="https://login.example.org", oidc_client_id="c", oidc_client_secret="s"
    ).refuse_if_insecure()
    with pytest.raises(InsecureSettings, match="DEV_SIGN_IN"):
        Settings(**safe, dev_sign_in=True, oidc_issuer="https://login.example.org").refuse_if_insecure()
