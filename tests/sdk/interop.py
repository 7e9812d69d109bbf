"""Drive the built-in emulator with Alibaba Cloud's official Python SDK for ECS.

Usage: interop.py HOST:PORT WORLD.json

Runs every case below with the SDK's default signing (V3, ACS3-HMAC-SHA256) and with
signature_algorithm='v2' (V1, HMAC-SHA1), through the SDK's endpoint override, and
prints one JSON line per case: what was sent, and what the SDK returned or raised.
Before each case the world is loaded again through the control contract, so every
case meets the default world as it is documented. The Rust test (tests/sdk_interop.rs)
checks the lines.
"""

import json
import sys

from alibabacloud_ecs20140526 import models as ecs_models
from darabonba.runtime import RuntimeOptions

import sdk

ENDPOINT = sys.argv[1]
with open(sys.argv[2], "rb") as f:
    WORLD = f.read()


def reset_world():
    sdk.control(ENDPOINT, "PUT", "/_conformance/world", WORLD)

# name, key id, secret, request fields
CASES = [
    ("success", "testid", "testsecret", dict(region_id="cn-qingdao", image_id="m-available00000000001", destination_region_id="cn-hangzhou", destination_image_name="sdk-copy", destination_description="made by the official SDK")),
    ("success-chinese-name", "testid", "testsecret", dict(region_id="cn-qingdao", image_id="m-available00000000001", destination_region_id="ap-southeast-1", destination_image_name="中文-name", destination_description="a b*c~d+e/f:g=h&i 中文")),
    ("DestinationRegion.NotFound", "testid", "testsecret", dict(region_id="cn-qingdao", image_id="m-available00000000001", destination_region_id="cn-nowhere-1")),
    ("IncorrectImageStatus", "testid", "testsecret", dict(region_id="cn-qingdao", image_id="m-unavail0000000000001", destination_region_id="cn-hangzhou")),
    ("InvalidDescription.Malformed", "testid", "testsecret", dict(region_id="cn-qingdao", image_id="m-available00000000001", destination_region_id="cn-hangzhou", destination_description="http://example.com")),
    ("InvalidImageId.NotFound", "testid", "testsecret", dict(region_id="cn-qingdao", image_id="m-nosuchimage000000001", destination_region_id="cn-hangzhou")),
    ("InvalidImageName.Duplicated", "testid", "testsecret", dict(region_id="cn-qingdao", image_id="m-available00000000001", destination_region_id="cn-hangzhou", destination_image_name="existing-name")),
    ("InvalidImageName.Malformed", "testid", "testsecret", dict(region_id="cn-qingdao", image_id="m-available00000000001", destination_region_id="cn-hangzhou", destination_image_name="1bad")),
    ("SourceRegion.NotFound", "testid", "testsecret", dict(region_id="cn-nowhere-1", image_id="m-available00000000001", destination_region_id="cn-hangzhou")),
    ("Forbidden", "deniedid", "deniedsecret", dict(region_id="cn-qingdao", image_id="m-deniedown00000000001", destination_region_id="cn-hangzhou")),
    ("IncorrectDestinationRegion", "testid", "testsecret", dict(region_id="cn-qingdao", image_id="m-available00000000001", destination_region_id="cn-qingdao")),
    ("InvalidSnapshot.TooOld", "testid", "testsecret", dict(region_id="cn-qingdao", image_id="m-tooold00000000000001", destination_region_id="cn-hangzhou")),
    ("OperationDeined.EncryptedSnapshot", "testid", "testsecret", dict(region_id="cn-qingdao", image_id="m-encrypted00000000001", destination_region_id="cn-hangzhou")),
    ("OperationDenied.ImageCopying", "testid", "testsecret", dict(region_id="cn-qingdao", image_id="m-copying0000000000001", destination_region_id="cn-hangzhou")),
    ("QuotaExceed.Image", "testid", "testsecret", dict(region_id="cn-qingdao", image_id="m-available00000000001", destination_region_id="cn-beijing")),
    ("QuotaExceed.Snapshot", "testid", "testsecret", dict(region_id="cn-qingdao", image_id="m-available00000000001", destination_region_id="cn-shanghai")),
    ("RegionNotSupportCopy", "testid", "testsecret", dict(region_id="cn-qingdao", image_id="m-available00000000001", destination_region_id="cn-nocopy-1")),
    ("wrong-secret", "testid", "not-the-secret", dict(region_id="cn-qingdao", image_id="m-available00000000001", destination_region_id="cn-hangzhou")),
    ("unknown-key", "nosuchkey", "whatever", dict(region_id="cn-qingdao", image_id="m-available00000000001", destination_region_id="cn-hangzhou")),
]


def main():
    for signing in ("v3", "v1"):
        for name, key_id, secret, fields in CASES:
            reset_world()
            request = ecs_models.CopyImageRequest(**fields)
            out = {"signing": signing, "case": name}
            try:
                response = sdk.client(ENDPOINT, key_id, secret, signing).copy_image_with_options(request, RuntimeOptions())
                body = response.body
                out.update(result="ok", status=response.status_code, image_id=body.image_id, request_id=body.request_id)
            except Exception as e:  # the SDK raises its own exception classes
                out.update(sdk.error(e))
            print(json.dumps(out, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
