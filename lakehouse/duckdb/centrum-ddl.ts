/**
 * The centrum tables on the embedded lakehouse. Column names are the contract with Databricks (design.md and the
 * consolidation plan). `users` is the embedded stand-in for the openJII backend's user profiles, from which the
 * pipeline fills `experiment_contributors`.
 */
export const CENTRUM_SCHEMA = "centrum";

const QUESTION = "STRUCT(question_label VARCHAR, question_text VARCHAR, question_answer VARCHAR)";
const MACRO_REF = "STRUCT(id VARCHAR, name VARCHAR, filename VARCHAR)";

export const CENTRUM_DDL = `
CREATE SCHEMA IF NOT EXISTS centrum;

CREATE TABLE IF NOT EXISTS centrum.experiments (
  experiment_id VARCHAR NOT NULL PRIMARY KEY,
  name VARCHAR NOT NULL,
  description VARCHAR,
  visibility VARCHAR NOT NULL CHECK (visibility IN ('public', 'private')),
  status VARCHAR NOT NULL CHECK (status IN ('active', 'stale', 'archived', 'published')),
  anonymize_contributors BOOLEAN NOT NULL DEFAULT false,
  created_at TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS centrum.experiment_members (
  experiment_id VARCHAR NOT NULL,
  user_id VARCHAR NOT NULL,
  role VARCHAR NOT NULL CHECK (role IN ('admin', 'member', 'viewer'))
);

CREATE TABLE IF NOT EXISTS centrum.users (
  user_id VARCHAR NOT NULL PRIMARY KEY,
  first_name VARCHAR,
  last_name VARCHAR,
  email VARCHAR,
  organization VARCHAR
);

CREATE TABLE IF NOT EXISTS centrum.experiment_raw_data (
  experiment_id VARCHAR NOT NULL,
  id BIGINT NOT NULL,
  device_id VARCHAR,
  device_name VARCHAR,
  timestamp TIMESTAMP,
  sample VARCHAR,
  measurement_sets VARCHAR[],
  questions ${QUESTION}[],
  macros ${MACRO_REF}[],
  user_id VARCHAR,
  processed_timestamp TIMESTAMP,
  date DATE
);

CREATE TABLE IF NOT EXISTS centrum.experiment_device_data (
  experiment_id VARCHAR NOT NULL,
  device_id VARCHAR NOT NULL,
  device_name VARCHAR,
  device_firmware VARCHAR,
  first_seen TIMESTAMP,
  last_seen TIMESTAMP,
  total_measurements BIGINT,
  processed_timestamp TIMESTAMP
);

CREATE TABLE IF NOT EXISTS centrum.experiment_macro_data (
  experiment_id VARCHAR NOT NULL,
  macro_id VARCHAR NOT NULL,
  macro_name VARCHAR NOT NULL,
  macro_filename VARCHAR NOT NULL,
  id BIGINT NOT NULL,
  device_id VARCHAR,
  device_name VARCHAR,
  timestamp TIMESTAMP,
  user_id VARCHAR,
  questions ${QUESTION}[],
  macro_output VARIANT,
  macro_error VARCHAR,
  processed_timestamp TIMESTAMP,
  date DATE
);

CREATE TABLE IF NOT EXISTS centrum.experiment_macros (
  experiment_id VARCHAR NOT NULL,
  macro_name VARCHAR NOT NULL,
  macro_filename VARCHAR NOT NULL,
  first_seen TIMESTAMP,
  last_seen TIMESTAMP,
  sample_count BIGINT,
  output_schema VARCHAR,
  output_schema_sample VARIANT
);

CREATE TABLE IF NOT EXISTS centrum.experiment_contributors (
  experiment_id VARCHAR NOT NULL,
  user_id VARCHAR NOT NULL,
  first_name VARCHAR,
  last_name VARCHAR,
  email VARCHAR,
  organization VARCHAR,
  first_contribution TIMESTAMP,
  last_contribution TIMESTAMP,
  total_contributions BIGINT
);

CREATE TABLE IF NOT EXISTS centrum.experiment_annotations (
  experiment_id VARCHAR NOT NULL,
  annotation_id VARCHAR NOT NULL,
  table_name VARCHAR NOT NULL,
  row_id VARCHAR NOT NULL,
  type VARCHAR NOT NULL CHECK (type IN ('comment', 'flag')),
  content_text VARCHAR,
  flag_type VARCHAR CHECK (flag_type IS NULL OR flag_type IN ('outlier', 'needs_review')),
  created_by VARCHAR NOT NULL,
  created_by_name VARCHAR,
  created_at TIMESTAMP NOT NULL,
  updated_at TIMESTAMP NOT NULL
);
-- Annotation writes are idempotent upserts keyed on the annotation id.
CREATE UNIQUE INDEX IF NOT EXISTS experiment_annotations_annotation_id
  ON centrum.experiment_annotations (annotation_id);

-- The gateway's idempotency ledger of annotation mutations: one row per (user, clientMutationId), holding the
-- fingerprint of the input and the planned write, so a repeat returns the first result and writes nothing.
CREATE TABLE IF NOT EXISTS centrum.experiment_annotation_requests (
  request_key VARCHAR NOT NULL PRIMARY KEY,
  user_id VARCHAR NOT NULL,
  client_mutation_id VARCHAR NOT NULL,
  experiment_id VARCHAR NOT NULL,
  mutation VARCHAR NOT NULL,
  input_hash VARCHAR NOT NULL,
  attempt VARCHAR NOT NULL,
  plan VARCHAR NOT NULL,
  created_at TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS centrum.experiment_status (
  experiment_id VARCHAR NOT NULL,
  latest_timestamp TIMESTAMP,
  latest_processed_timestamp TIMESTAMP,
  status VARCHAR CHECK (status IN ('fresh', 'stale')),
  status_updated_at TIMESTAMP
);

CREATE OR REPLACE VIEW centrum.enriched_experiment_raw_data AS
SELECT
  r.*,
  c.first_name, c.last_name, c.email, c.organization,
  COALESCE(a.annotations, []) AS annotations
FROM centrum.experiment_raw_data r
LEFT JOIN centrum.experiment_contributors c
  ON r.experiment_id = c.experiment_id AND r.user_id = c.user_id
LEFT JOIN (
  SELECT experiment_id, row_id,
    list({'id': annotation_id, 'rowId': row_id, 'type': type,
          'content': {'text': content_text, 'flagType': flag_type},
          'createdBy': created_by, 'createdByName': created_by_name,
          'createdAt': created_at, 'updatedAt': updated_at} ORDER BY created_at, annotation_id) AS annotations
  FROM centrum.experiment_annotations
  WHERE table_name = 'sample'
  GROUP BY experiment_id, row_id
) a ON r.experiment_id = a.experiment_id AND CAST(r.id AS VARCHAR) = a.row_id;

CREATE OR REPLACE VIEW centrum.enriched_experiment_macro_data AS
SELECT
  m.*,
  c.first_name, c.last_name, c.email, c.organization,
  COALESCE(a.annotations, []) AS annotations
FROM centrum.experiment_macro_data m
LEFT JOIN centrum.experiment_contributors c
  ON m.experiment_id = c.experiment_id AND m.user_id = c.user_id
LEFT JOIN (
  SELECT experiment_id, row_id, table_name,
    list({'id': annotation_id, 'rowId': row_id, 'type': type,
          'content': {'text': content_text, 'flagType': flag_type},
          'createdBy': created_by, 'createdByName': created_by_name,
          'createdAt': created_at, 'updatedAt': updated_at} ORDER BY created_at, annotation_id) AS annotations
  FROM centrum.experiment_annotations
  GROUP BY experiment_id, row_id, table_name
) a ON m.experiment_id = a.experiment_id AND CAST(m.id AS VARCHAR) = a.row_id AND m.macro_filename = a.table_name;
`;
