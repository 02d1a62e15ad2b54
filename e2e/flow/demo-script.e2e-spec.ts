import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { GATEWAY } from './gateway';
import { BROKER } from './kafka-watch';

jest.setTimeout(120000);

describe('demo-quick.sh', () => {
  it('runs the seed demo end to end: welcome order paid, order paid, events shown', async () => {
    const script = resolve(__dirname, '../../demo-quick.sh');
    const { stdout } = await promisify(execFile)('bash', [script], {
      env: { ...process.env, GATEWAY_URL: GATEWAY, KAFKA_BROKER: BROKER, DEMO_TIMEOUT_S: '60' },
      timeout: 110000,
    });
    expect(stdout).toMatch(/order [0-9a-f-]{36}: paid/);
    expect(stdout).toMatch(/"sessionId": "[0-9a-f-]{36}"/);
    expect(stdout).toContain('(new; the old one is spent)');
    expect(stdout).toContain('user.created');
    expect(stdout).toContain('order.created');
    expect(stdout).toContain('payment.completed');
    expect(stdout).toContain('"statusCode": 400');
  });
});
