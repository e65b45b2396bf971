import { describe, expect, it } from 'vitest';
import { PullMeter } from '../../../src/docker/pull-meter.js';

describe('PullMeter', () => {
  it('sums download progress over layers, counting finished layers as whole', () => {
    const meter = new PullMeter();
    meter.update({ status: 'Pulling from pmt/x', id: '1' });
    expect(meter.percent()).toBeUndefined();
    expect(meter.describe()).toBe('pulling from pmt/x');
    meter.update({ status: 'Pulling fs layer', id: 'a' });
    meter.update({ status: 'Downloading', id: 'a', current: 512, total: 1024 });
    meter.update({ status: 'Downloading', id: 'b', current: 0, total: 3072 });
    expect(meter.percent()).toBe(12);
    meter.update({ status: 'Download complete', id: 'a' });
    meter.update({ status: 'Downloading', id: 'b', current: 1024, total: 3072 });
    expect(meter.percent()).toBe(50);
    expect(meter.describe()).toBe('50% of 4 KiB (downloading)');
    meter.update({ status: 'Pull complete', id: 'b' });
    meter.update({ status: 'Extracting', id: 'a', current: 10, total: 99999 });
    expect(meter.percent()).toBe(100);
    expect(meter.describe()).toBe('100% of 4 KiB (extracting)');
  });
});
