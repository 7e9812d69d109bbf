"""What the SDK scripts share: a client of the official Python SDK pointed at the
emulator (V3, its default, or V1 with signature_algorithm='v2'), a call of the
world-control contract, and an SDK exception as a JSON-ready dict."""

import urllib.request

from alibabacloud_ecs20140526.client import Client
from alibabacloud_tea_openapi import utils_models as open_api_models


def client(endpoint, key_id, secret, signing, region_id="cn-qingdao"):
    config = open_api_models.Config(
        access_key_id=key_id,
        access_key_secret=secret,
        endpoint=endpoint,
        protocol="http",
        region_id=region_id,
        read_timeout=10000,
        connect_timeout=5000,
    )
    if signing == "v1":
        config.signature_algorithm = "v2"
    return Client(config)


def control(endpoint, method, path, body):
    req = urllib.request.Request(f"http://{endpoint}{path}", data=body, method=method)
    with urllib.request.urlopen(req, timeout=10) as r:
        assert r.status == 200, r.status


def error(e):
    """The SDK raises its own exception classes: what one says."""
    return dict(
        result="error",
        type=type(e).__name__,
        code=getattr(e, "code", None),
        status=getattr(e, "status_code", None),
        message=str(getattr(e, "message", e))[:300],
    )
