// The life of a copy, driven with Alibaba Cloud's official Node.js SDK for ECS
// (@alicloud/ecs20140526, with its Config from @alicloud/openapi-client; pinned in
// package.json, installed by .ci/run).
//
// Usage: node workflow.js HOST:PORT WORLD.json
//
// The same steps as ../workflow.py, for V3 (the SDK's default signing) and V1
// (signatureAlgorithm 'v2'), one JSON line per step: what the SDK returned or raised.
// The Rust test (tests/sdk_interop.rs) checks the lines against the rule table.

'use strict';

const fs = require('fs');
const http = require('http');
const Ecs = require('@alicloud/ecs20140526');
const OpenApi = require('@alicloud/openapi-client');
const { RuntimeOptions } = require('@darabonba/typescript');

const [endpoint, worldFile] = process.argv.slice(2);
const WORLD = fs.readFileSync(worldFile);
const [SOURCE, IMAGE, DEST] = ['cn-qingdao', 'm-available00000000001', 'cn-hangzhou'];
const EVERY_STATUS = 'Creating,Available,UnAvailable,CreateFailed';

function control(method, path, body) {
  const [host, port] = endpoint.split(':');
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, path, method, timeout: 10000 }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`${path}: ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function client(signing, secret = 'testsecret') {
  const config = new OpenApi.Config({
    accessKeyId: 'testid',
    accessKeySecret: secret,
    endpoint,
    protocol: 'http',
    regionId: SOURCE,
    readTimeout: 10000,
    connectTimeout: 5000,
  });
  if (signing === 'v1') {
    config.signatureAlgorithm = 'v2';
  }
  return new Ecs.default(config);
}

async function call(signing, step, method, request, secret) {
  const out = { signing, step };
  try {
    const response = await client(signing, secret)[method](request, new RuntimeOptions({}));
    out.result = 'ok';
    out.status = response.statusCode;
    out.body = response.body.toMap();
  } catch (e) {
    // The SDK raises its own error classes.
    out.result = 'error';
    out.type = e.name;
    out.code = e.code === undefined ? null : e.code;
    out.status = e.statusCode === undefined ? null : e.statusCode;
    out.message = String(e.message || '').slice(0, 300);
  }
  console.log(JSON.stringify(out));
  return out;
}

const copy = (signing, step, name) =>
  call(signing, step, 'copyImageWithOptions', new Ecs.CopyImageRequest({
    regionId: SOURCE, imageId: IMAGE, destinationRegionId: DEST, destinationImageName: name,
  }));

const describe = (signing, step, imageId, status = EVERY_STATUS) =>
  call(signing, step, 'describeImagesWithOptions', new Ecs.DescribeImagesRequest({
    regionId: DEST, imageId, status: status === null ? undefined : status,
  }));

const images = (line) => (((line.body || {}).Images || {}).Image) || [];

async function main() {
  for (const signing of ['v3', 'v1']) {
    await control('PUT', '/_conformance/world', WORLD);
    const first = await copy(signing, 'copy', `sdk-${signing}-first`);
    const image = (first.body || {}).ImageId || '';
    await describe(signing, 'describe-creating', image);
    await describe(signing, 'describe-default-status', image, null);
    await call(signing, 'delete-copying', 'deleteImageWithOptions', new Ecs.DeleteImageRequest({ regionId: DEST, imageId: image }));
    let polls = 0;
    while (polls < 100) {
      polls += 1;
      await control('POST', '/_conformance/clock', '{"advance_seconds": 30}');
      const line = await describe(signing, `poll-${polls}`, image);
      const listed = images(line);
      if (line.result !== 'ok' || listed.length === 0 || listed[0].Status === 'Available') break;
    }
    console.log(JSON.stringify({ signing, step: 'polled', polls }));
    await describe(signing, 'describe-available', image);
    const second = await copy(signing, 'copy-second', `sdk-${signing}-second`);
    const other = (second.body || {}).ImageId || '';
    await call(signing, 'cancel', 'cancelCopyImageWithOptions', new Ecs.CancelCopyImageRequest({ regionId: DEST, imageId: other }));
    await describe(signing, 'describe-cancelled', other);
    await call(signing, 'cancel-finished', 'cancelCopyImageWithOptions', new Ecs.CancelCopyImageRequest({ regionId: DEST, imageId: image }));
    await call(signing, 'delete', 'deleteImageWithOptions', new Ecs.DeleteImageRequest({ regionId: DEST, imageId: image }));
    await describe(signing, 'describe-deleted', image);
    await call(signing, 'regions', 'describeRegionsWithOptions', new Ecs.DescribeRegionsRequest({}));
    // Signed with the wrong secret: the message's string to sign shows the algorithm.
    await call(signing, 'wrong-secret', 'describeRegionsWithOptions', new Ecs.DescribeRegionsRequest({}), 'not-the-secret');
    // The documented errors of the new calls.
    const nowhere = 'cn-nowhere-9';
    const missing = 'm-nosuchimage00000000';
    await call(signing, 'cancel.region-exists', 'cancelCopyImageWithOptions', new Ecs.CancelCopyImageRequest({ regionId: nowhere, imageId: IMAGE }));
    await call(signing, 'cancel.image-exists', 'cancelCopyImageWithOptions', new Ecs.CancelCopyImageRequest({ regionId: SOURCE, imageId: missing }));
    await call(signing, 'cancel.copy-target', 'cancelCopyImageWithOptions', new Ecs.CancelCopyImageRequest({ regionId: SOURCE, imageId: IMAGE }));
    await call(signing, 'delete.region-exists', 'deleteImageWithOptions', new Ecs.DeleteImageRequest({ regionId: nowhere, imageId: IMAGE }));
    await call(signing, 'delete.not-creating', 'deleteImageWithOptions', new Ecs.DeleteImageRequest({ regionId: SOURCE, imageId: 'm-creating000000000001' }));
    await call(signing, 'delete.own-custom', 'deleteImageWithOptions', new Ecs.DeleteImageRequest({ regionId: SOURCE, imageId: 'm-system00000000000001' }));
    await call(signing, 'describe.usage', 'describeImagesWithOptions', new Ecs.DescribeImagesRequest({ regionId: SOURCE, usage: 'sometimes' }));
    await call(signing, 'describe.owner-alias', 'describeImagesWithOptions', new Ecs.DescribeImagesRequest({ regionId: SOURCE, imageOwnerAlias: 'everyone' }));
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
