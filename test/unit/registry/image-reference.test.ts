import { describe, expect, it } from 'vitest';
import { imageReferenceProblem } from '../../../src/registry/image-reference.js';

const DIGEST = `sha256:${'a1'.repeat(32)}`;

describe('imageReferenceProblem', () => {
  it.each([
    'pmtlicensee',
    'pmtlicensee:latest',
    'pmt/licensee:9.16.0',
    'docker.io/library/alpine:3.20',
    'ghcr.io/pmt-tools/file-hasher:v1_2-rc.3',
    'localhost:5000/pmt/scancode',
    'localhost:5000/pmt/scancode:32.0.8',
    'registry.example.com:443/a/b/c',
    '[::1]:5000/pmt/licensee:1',
    '127.0.0.1:5000/x',
    'a.b__c-d---e/f_g',
    `pmt/licensee@${DIGEST}`,
    `pmt/licensee:9.16.0@${DIGEST}`,
    `pmt/licensee:${'t'.repeat(128)}`,
    'Registry.Example.COM/pmt/licensee',
  ])('accepts %s', (reference) => {
    expect(imageReferenceProblem(reference)).toBeUndefined();
  });

  it.each([
    ['', 'the image reference is empty'],
    ['pmt licensee', 'expected [host[:port]/]name[:tag][@sha256:digest]; it contains whitespace'],
    ['pmt/Licensee', 'the repository name must be lowercase'],
    ['PMTLICENSEE:latest', 'the repository name must be lowercase'],
    ['pmt/licensee:', 'the tag must be 1–128 characters of letters, digits, "_", "." and "-", not starting with "." or "-"'],
    ['pmt/licensee:.hidden', 'the tag must be 1–128 characters of letters, digits, "_", "." and "-", not starting with "." or "-"'],
    [`pmt/licensee:${'t'.repeat(129)}`, 'the tag must be 1–128 characters of letters, digits, "_", "." and "-", not starting with "." or "-"'],
    ['pmt/licensee@sha256:abc', 'the digest must be "sha256:" followed by 64 lowercase hex digits'],
    [`pmt/licensee@md5:${'a'.repeat(32)}`, 'the digest must be "sha256:" followed by 64 lowercase hex digits'],
    [`pmt/licensee@${DIGEST.toUpperCase()}`, 'the digest must be "sha256:" followed by 64 lowercase hex digits'],
    ['pmt//licensee', 'expected [host[:port]/]name[:tag][@sha256:digest]; path components are lowercase letters and digits separated by ".", "_", "__" or "-"'],
    ['pmt/licensee/', 'expected [host[:port]/]name[:tag][@sha256:digest]; path components are lowercase letters and digits separated by ".", "_", "__" or "-"'],
    ['-pmt/licensee', 'expected [host[:port]/]name[:tag][@sha256:digest]; path components are lowercase letters and digits separated by ".", "_", "__" or "-"'],
    ['pmt/lic___ensee', 'expected [host[:port]/]name[:tag][@sha256:digest]; path components are lowercase letters and digits separated by ".", "_", "__" or "-"'],
    ['pmt/licensee.', 'expected [host[:port]/]name[:tag][@sha256:digest]; path components are lowercase letters and digits separated by ".", "_", "__" or "-"'],
    ['host:port/pmt', 'expected [host[:port]/]name[:tag][@sha256:digest]; path components are lowercase letters and digits separated by ".", "_", "__" or "-"'],
    [`pmt/${'a'.repeat(252)}`, 'the repository name is longer than 255 characters'],
  ])('rejects %j', (reference, problem) => {
    expect(imageReferenceProblem(reference)).toBe(problem);
  });
});
