"""The life of a copy, driven with Alibaba Cloud's official Python SDK for ECS.

Usage: workflow.py HOST:PORT WORLD.json

For V3 (the SDK's default signing) and V1 (signature_algorithm='v2'), on a freshly
loaded world: copy an image, describe it (Creating, below 100%), try to delete it
(refused while it copies), advance the emulator's clock through the control contract
and poll DescribeImages until it is Available (100%); copy again, cancel that copy and
describe it (gone); cancel the finished copy (refused), delete it, describe it (gone);
list the regions; then each documented error of the new calls. One JSON line per step:
what the SDK returned or raised. The Rust test (tests/sdk_interop.rs) checks the lines
against the rule table.
"""

import json
import sys

from alibabacloud_ecs20140526 import models as m
from darabonba.runtime import RuntimeOptions

import sdk

ENDPOINT = sys.argv[1]
with open(sys.argv[2], "rb") as f:
    WORLD = f.read()
SOURCE, IMAGE, DEST = "cn-qingdao", "m-available00000000001", "cn-hangzhou"
EVERY_STATUS = "Creating,Available,UnAvailable,CreateFailed"


def control(method, path, body):
    sdk.control(ENDPOINT, method, path, body)


def call(signing, step, method, request):
    """Runs one SDK call; prints and returns its line (the body as a dict on success)."""
    out = {"signing": signing, "step": step}
    try:
        response = getattr(sdk.client(ENDPOINT, "testid", "testsecret", signing, SOURCE), method)(request, RuntimeOptions())
        out.update(result="ok", status=response.status_code, body=response.body.to_map())
    except Exception as e:  # the SDK raises its own exception classes
        out.update(sdk.error(e))
    print(json.dumps(out, ensure_ascii=False), flush=True)
    return out


def copy(signing, step, name):
    req = m.CopyImageRequest(region_id=SOURCE, image_id=IMAGE, destination_region_id=DEST, destination_image_name=name)
    return call(signing, step, "copy_image_with_options", req)


def describe(signing, step, image_id, status=EVERY_STATUS, region=DEST):
    req = m.DescribeImagesRequest(region_id=region, image_id=image_id, status=status)
    return call(signing, step, "describe_images_with_options", req)


def main():
    for signing in ("v3", "v1"):
        control("PUT", "/_conformance/world", WORLD)
        first = copy(signing, "copy", f"sdk-{signing}-first")
        image = first.get("body", {}).get("ImageId", "")
        describe(signing, "describe-creating", image)
        describe(signing, "describe-default-status", image, status=None)
        call(signing, "delete-copying", "delete_image_with_options", m.DeleteImageRequest(region_id=DEST, image_id=image))
        polls = 0
        while polls < 100:
            polls += 1
            control("POST", "/_conformance/clock", b'{"advance_seconds": 30}')
            line = describe(signing, f"poll-{polls}", image)
            images = line.get("body", {}).get("Images", {}).get("Image", [])
            if line["result"] != "ok" or not images or images[0].get("Status") == "Available":
                break
        print(json.dumps({"signing": signing, "step": "polled", "polls": polls}), flush=True)
        describe(signing, "describe-available", image)
        second = copy(signing, "copy-second", f"sdk-{signing}-second")
        other = second.get("body", {}).get("ImageId", "")
        cancel = m.CancelCopyImageRequest(region_id=DEST, image_id=other)
        call(signing, "cancel", "cancel_copy_image_with_options", cancel)
        describe(signing, "describe-cancelled", other)
        done = m.CancelCopyImageRequest(region_id=DEST, image_id=image)
        call(signing, "cancel-finished", "cancel_copy_image_with_options", done)
        call(signing, "delete", "delete_image_with_options", m.DeleteImageRequest(region_id=DEST, image_id=image))
        describe(signing, "describe-deleted", image)
        call(signing, "regions", "describe_regions_with_options", m.DescribeRegionsRequest())
        # The documented errors of the new calls.
        nowhere = "cn-nowhere-9"
        missing = "m-nosuchimage00000000"
        call(signing, "cancel.region-exists", "cancel_copy_image_with_options", m.CancelCopyImageRequest(region_id=nowhere, image_id=IMAGE))
        call(signing, "cancel.image-exists", "cancel_copy_image_with_options", m.CancelCopyImageRequest(region_id=SOURCE, image_id=missing))
        call(signing, "cancel.copy-target", "cancel_copy_image_with_options", m.CancelCopyImageRequest(region_id=SOURCE, image_id=IMAGE))
        call(signing, "delete.region-exists", "delete_image_with_options", m.DeleteImageRequest(region_id=nowhere, image_id=IMAGE))
        call(signing, "delete.not-creating", "delete_image_with_options", m.DeleteImageRequest(region_id=SOURCE, image_id="m-creating000000000001"))
        call(signing, "delete.own-custom", "delete_image_with_options", m.DeleteImageRequest(region_id=SOURCE, image_id="m-system00000000000001"))
        call(signing, "describe.usage", "describe_images_with_options", m.DescribeImagesRequest(region_id=SOURCE, usage="sometimes"))
        call(signing, "describe.owner-alias", "describe_images_with_options", m.DescribeImagesRequest(region_id=SOURCE, image_owner_alias="everyone"))


if __name__ == "__main__":
    main()
