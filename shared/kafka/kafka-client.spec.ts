import { Logger } from '@nestjs/common';
import { logLevel } from 'kafkajs';
import { kafkajsLogCreator } from './kafka-client';

describe('kafkajs log lines', () => {
  const log = kafkajsLogCreator()();
  const entry = (level: logLevel, message: string) => ({ namespace: 'Producer', level, label: 'WARN', log: { timestamp: '', message } });
  let warn: jest.SpyInstance;
  let error: jest.SpyInstance;

  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation();
    error = jest.spyOn(Logger.prototype, 'error').mockImplementation();
  });
  afterEach(() => jest.restoreAllMocks());

  it('passes warnings and errors on to the app logger', () => {
    log(entry(logLevel.WARN, 'Connection timeout'));
    log(entry(logLevel.ERROR, 'Crash: KafkaJSNumberOfRetriesExceeded'));

    expect(warn).toHaveBeenCalledWith({ timestamp: '' }, 'Connection timeout');
    expect(error).toHaveBeenCalledWith({ timestamp: '' }, 'Crash: KafkaJSNumberOfRetriesExceeded');
  });

  it("logs a broker answer kafkajs retries by itself as a warning, any other failed answer as an error", () => {
    const response = (error: string) => ({ namespace: 'Connection', level: logLevel.ERROR, label: 'ERROR', log: { timestamp: '', message: 'Response InitProducerId(key: 22, version: 1)', error } });
    log(response("The coordinator is loading and hence can't process requests for this group"));
    log(response('This server is not the leader for that topic-partition'));
    log(response('Not authorized to access topics: [Topic authorization failed]'));

    expect(warn.mock.calls.map(([fields]) => fields.error)).toEqual([
      "The coordinator is loading and hence can't process requests for this group",
      'This server is not the leader for that topic-partition',
    ]);
    expect(error).toHaveBeenCalledWith({ timestamp: '', error: 'Not authorized to access topics: [Topic authorization failed]' }, 'Response InitProducerId(key: 22, version: 1)');
  });

  it('drops the idempotent-retries warning the outbox design makes moot, and info lines', () => {
    log(entry(logLevel.WARN, 'Limiting retries for the idempotent producer may invalidate EoS guarantees'));
    log(entry(logLevel.INFO, 'Consumer has joined the group'));

    expect(warn).not.toHaveBeenCalled();
    expect(error).not.toHaveBeenCalled();
  });
});
