// checkUserEnv: the settings `npm start` refuses before it starts anything.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkUserEnv } from './apps.mjs';

describe('checkUserEnv', () => {
  it('accepts no settings, and apps moved to free ports', () => {
    assert.deepEqual(checkUserEnv({}), []);
    assert.deepEqual(checkUserEnv({ USER_SERVICE_PORT: '3101', API_GATEWAY_PORT: '3001' }), []);
    assert.deepEqual(checkUserEnv({ API_GATEWAY_PORT: '3002', ORDER_SERVICE_PORT: '3102' }), []);
  });

  it('refuses PORT, a value that is not a port, and two moved apps on one port', () => {
    assert.match(checkUserEnv({ PORT: '80' })[0], /^PORT=80: PORT moves one app, and npm start runs four/);
    assert.deepEqual(checkUserEnv({ USER_SERVICE_PORT: '0' }), ['USER_SERVICE_PORT=0: not a port (an integer 1-65535)']);
    assert.deepEqual(checkUserEnv({ USER_SERVICE_PORT: '3101', ORDER_SERVICE_PORT: '3101' }), [
      'ORDER_SERVICE_PORT=3101: the same port as USER_SERVICE_PORT',
    ]);
  });

  it("refuses a moved app on an unmoved app's port or on the dev stack's Kafka or PostgreSQL", () => {
    assert.deepEqual(checkUserEnv({ API_GATEWAY_PORT: '3001' }), [
      "API_GATEWAY_PORT=3001: that is user-service's port (move that one too, with USER_SERVICE_PORT)",
    ]);
    assert.deepEqual(checkUserEnv({ ORDER_SERVICE_PORT: '5432' }), ["ORDER_SERVICE_PORT=5432: that is the dev PostgreSQL userdb's port"]);
    assert.deepEqual(checkUserEnv({ EVENT_CONSOLE_PORT: '9094' }), ["EVENT_CONSOLE_PORT=9094: that is the dev Kafka broker's port"]);
  });

  it('in the cluster profile, where the port variables move nothing, checks only that they are ports', () => {
    assert.deepEqual(checkUserEnv({ API_GATEWAY_PORT: '3001' }, { profile: 'cluster' }), []);
    assert.deepEqual(checkUserEnv({ API_GATEWAY_PORT: 'x' }, { profile: 'cluster' }), ['API_GATEWAY_PORT=x: not a port (an integer 1-65535)']);
  });
});
