/** The services' correlation headers (shared/http/request-id.ts and W3C trace context). */
export const REQUEST_ID_HEADER_NAME = 'x-request-id';
export const TRACEPARENT = 'traceparent';
