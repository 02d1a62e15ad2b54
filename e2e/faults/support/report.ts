// What each fault scenario measured: one line per scenario on the console, every figure in
// .logs/faults/measurements.json (see ../../support/scenario-report.ts).
import { scenarioRecorder } from '../../support/scenario-report';
import { LOG_DIR } from './harness';

export { secs, until } from '../../support/scenario-report';

export const record = scenarioRecorder(LOG_DIR, 'faults');
