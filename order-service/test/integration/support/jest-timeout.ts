// `testTimeout` inside a Jest project entry is ignored (it is a global option), so the
// integration project sets its timeout here: real Kafka group joins take seconds.
jest.setTimeout(60000);
