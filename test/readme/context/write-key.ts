// A write key, as the excerpt's surrounding code would have it.
declare const writeKey: string;
