// `testTimeout` is a global Jest option, ignored inside `projects`: the integration project sets its own.
jest.setTimeout(60_000);
