import { InstanceSet, UpstreamInstance } from './upstream-instances';

const TIMED_OUT = { ok: false, reason: 'no answer within 1000 ms', timedOut: true } as const;
const NOT_READY = { ok: false, reason: 'HTTP 503' } as const;

describe('UpstreamInstance', () => {
  let sut: UpstreamInstance;
  beforeEach(() => {
    sut = new UpstreamInstance('http://10.0.0.1:3001/v1/');
  });
  afterEach(() => sut.close());

  it('is named by its base URL without the trailing slash, and keeps its path', () => {
    expect({ name: sut.name, basePath: sut.basePath }).toEqual({ name: 'http://10.0.0.1:3001/v1', basePath: '/v1' });
  });

  it('goes out at the first 503 or refused connection, and back at the first ready answer', () => {
    expect(sut.record(NOT_READY)).toBe(true);
    expect({ healthy: sut.healthy, reason: sut.reason }).toEqual({ healthy: false, reason: 'HTTP 503' });
    expect(sut.record({ ok: true })).toBe(true);
    expect({ healthy: sut.healthy, reason: sut.reason }).toEqual({ healthy: true, reason: undefined });
  });

  it('counts a probe without an answer only the second time in a row (busy is not gone)', () => {
    expect(sut.record(TIMED_OUT)).toBe(false);
    expect(sut.healthy).toBe(true);
    expect(sut.record({ ok: true })).toBe(false);
    expect(sut.record(TIMED_OUT)).toBe(false);
    expect(sut.healthy).toBe(true);
    expect(sut.record(TIMED_OUT)).toBe(true);
    expect(sut.healthy).toBe(false);
  });

  it('goes out at once when live traffic cannot connect', () => {
    expect(sut.markDown('connection refused (ECONNREFUSED)')).toBe(true);
    expect(sut.markDown('connection refused (ECONNREFUSED)')).toBe(false);
    expect(sut.healthy).toBe(false);
  });
});

describe('InstanceSet.pick', () => {
  const urls = ['http://a:1', 'http://b:1', 'http://c:1'];
  let instances: UpstreamInstance[];
  let sut: InstanceSet;
  const names = (n: number, except?: UpstreamInstance) => Array.from({ length: n }, () => sut.pick(except)?.name);

  beforeEach(() => {
    instances = urls.map((u) => new UpstreamInstance(u));
    sut = new InstanceSet('user-service', instances);
  });
  afterEach(() => Promise.all(instances.map((i) => i.close())));

  it('takes the healthy ones in turn', () => {
    instances[1].markDown('HTTP 503');
    expect(names(4)).toEqual(['http://a:1', 'http://c:1', 'http://a:1', 'http://c:1']);
  });

  it('prefers the one with the fewest requests in flight', () => {
    instances[0].inFlight = 3;
    instances[1].inFlight = 1;
    expect(names(3)).toEqual(['http://c:1', 'http://c:1', 'http://c:1']);
  });

  it('never picks the excepted one (the instance a retry is leaving)', () => {
    expect(names(4, instances[0])).toEqual(['http://b:1', 'http://c:1', 'http://b:1', 'http://c:1']);
  });

  it('with none healthy, still takes them in turn (a single instance behaves as without balancing)', () => {
    for (const i of instances) i.markDown('connection refused (ECONNREFUSED)');
    expect(names(3)).toEqual(['http://a:1', 'http://b:1', 'http://c:1']);
    expect(sut.healthyCount).toBe(0);
  });

  it('has nothing to offer a retry when the only instance is the one being left', () => {
    const single = new InstanceSet('user-service', [instances[0]]);
    expect(single.pick(instances[0])).toBeUndefined();
  });
});
