"""Drive `serve --doc 2026-01` with the official Python SDK's newer CopyImage fields.

Usage: newest.py HOST:PORT WORLD.json

The SDK (alibabacloud-ecs20140526) sends the newest page's parameters: DryRun,
ClientToken, Encrypted, KMSKeyId, EncryptAlgorithm and Tag (as Tag.N.Key and
Tag.N.Value). Each case runs with V3 and V1 signing in a freshly loaded default world
and prints one JSON line: what the SDK returned or raised. The Rust test
(tests/sdk_interop.rs) checks the lines against the rule table.
"""

import json
import sys

from alibabacloud_ecs20140526 import models as ecs_models
from darabonba.runtime import RuntimeOptions

import sdk

ENDPOINT = sys.argv[1]
with open(sys.argv[2], "rb") as f:
    WORLD = f.read()

OK = dict(region_id="cn-qingdao", image_id="m-available00000000001", destination_region_id="cn-hangzhou")
# The default world's copy in progress, made with this ClientToken.
RETRY = dict(region_id="cn-qingdao", image_id="m-copying0000000000001", destination_region_id="ap-southeast-1", client_token="copy-in-progress-0001")
Tag = ecs_models.CopyImageRequestTag

# name, request fields, whether to repeat the request in the same world
CASES = [
    ("dry-run", dict(OK, dry_run=True), False),
    ("dry-run-refused", dict(OK, image_id="m-unavail0000000000001", dry_run=True), False),
    ("tagged-encrypted", dict(OK, encrypted=True, tag=[Tag(key="team", value="blue"), Tag(key="env", value="")]), False),
    ("tag-value-acs", dict(OK, tag=[Tag(key="team", value="acs:blue")]), False),
    ("kms-without-encrypted", dict(OK, kmskey_id="e522b26d-abf6-4e0d-b5da-04b7000000c3"), False),
    ("encrypt-algorithm", dict(OK, encrypted=True, encrypt_algorithm="hide"), False),
    ("token-too-long", dict(OK, client_token="t" * 65), False),
    ("retry", RETRY, False),
    ("conflict", dict(RETRY, destination_image_name="another-name"), False),
    ("fresh-token-twice", dict(OK, client_token="sdk-token-0001"), True),
]


def call(signing, fields):
    request = ecs_models.CopyImageRequest(**fields)
    try:
        response = sdk.client(ENDPOINT, "testid", "testsecret", signing).copy_image_with_options(request, RuntimeOptions())
        return dict(result="ok", status=response.status_code, image_id=response.body.image_id)
    except Exception as e:  # the SDK raises its own exception classes
        return sdk.error(e)


def main():
    for signing in ("v3", "v1"):
        for name, fields, twice in CASES:
            sdk.control(ENDPOINT, "PUT", "/_conformance/world", WORLD)
            out = {"signing": signing, "case": name, **call(signing, fields)}
            if twice:
                out["again"] = call(signing, fields)
            print(json.dumps(out, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
