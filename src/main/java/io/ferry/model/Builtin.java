package io.ferry.model;

/** Content handlers that answer from Ferry's own state: stub_status (nginx) and metrics (Ferry). */
public enum Builtin { STUB_STATUS, METRICS }
