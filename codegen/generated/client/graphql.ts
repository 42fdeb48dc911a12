/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { JsonValue } from '../../json-value.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type AddAnnotationInput = {
  /** Makes the mutation exactly once: a repeat with the same id and input (by you) returns the first result and writes nothing; the same id with other input is IDEMPOTENCY_CONFLICT. */
  clientMutationId?: string | null | undefined;
  experimentId: string;
  /** Required for a flag. */
  flagType?: FlagType | null | undefined;
  /** The row's 64-bit id. */
  rowId: string;
  /** The table: "sample" or a macro filename (`macroFilename`). */
  table: string;
  /** 1–255 characters; required for a comment. */
  text?: string | null | undefined;
  /** COMMENT (needs text) or FLAG. */
  type: AnnotationType;
};

/** The row has an annotation of this type (and flag type); `{}` matches any annotation. */
export type AnnotationFilter = {
  flagType?: FlagType | null | undefined;
  type?: AnnotationType | null | undefined;
};

export type AnnotationType =
  | 'COMMENT'
  | 'FLAG';

/** Conditions on a DateTime value; all given conditions must hold. */
export type DateTimeFilter = {
  /** Equal to. */
  eq?: string | null | undefined;
  /** Greater than. */
  gt?: string | null | undefined;
  /** Greater than or equal to. */
  gte?: string | null | undefined;
  /** One of these values (at most 1000). */
  in?: Array<string> | null | undefined;
  /** true: the value is missing (or does not have the field's type); false: it is present. */
  isNull?: boolean | null | undefined;
  /** Less than. */
  lt?: string | null | undefined;
  /** Less than or equal to. */
  lte?: string | null | undefined;
  /** Not equal to (null values never match; use `isNull`). */
  neq?: string | null | undefined;
  /** None of these values (at most 1000); null values never match. */
  nin?: Array<string> | null | undefined;
};

export type DeleteAnnotationInput = {
  /** Makes the mutation exactly once: a repeat with the same id and input (by you) returns the first result and writes nothing; the same id with other input is IDEMPOTENCY_CONFLICT. */
  clientMutationId?: string | null | undefined;
  experimentId: string;
  /** The annotation. */
  id: string;
};

export type FlagType =
  | 'NEEDS_REVIEW'
  | 'OUTLIER';

/** Conditions on a Float value; all given conditions must hold. */
export type FloatFilter = {
  /** Equal to. */
  eq?: number | null | undefined;
  /** Greater than. */
  gt?: number | null | undefined;
  /** Greater than or equal to. */
  gte?: number | null | undefined;
  /** One of these values (at most 1000). */
  in?: Array<number> | null | undefined;
  /** true: the value is missing (or does not have the field's type); false: it is present. */
  isNull?: boolean | null | undefined;
  /** Less than. */
  lt?: number | null | undefined;
  /** Less than or equal to. */
  lte?: number | null | undefined;
  /** Not equal to (null values never match; use `isNull`). */
  neq?: number | null | undefined;
  /** None of these values (at most 1000); null values never match. */
  nin?: Array<number> | null | undefined;
};

/** Conditions on a ID value; all given conditions must hold. */
export type IdFilter = {
  /** Equal to. */
  eq?: string | null | undefined;
  /** One of these values (at most 1000). */
  in?: Array<string> | null | undefined;
  /** Not equal to (null values never match; use `isNull`). */
  neq?: string | null | undefined;
  /** None of these values (at most 1000); null values never match. */
  nin?: Array<string> | null | undefined;
};

/** Where rows without a value go; default LAST in both directions. */
export type NullsOrder =
  | 'FIRST'
  | 'LAST';

/** Fields to sort by, group by or list distinct values of: base columns and every scalar output field (nested paths joined with `_`). */
export type PhotosynthesisMeasurementField =
  /** "ECSt" (DOUBLE) from macro output of Photosynthesis RIDES. (Float) */
  | 'ECSt'
  /** "FvP/FmP" (DOUBLE) from macro output of Photosynthesis RIDES. (Float) */
  | 'FvP_FmP'
  /** "LEF" (DOUBLE) from macro output of Photosynthesis RIDES. (Float) */
  | 'LEF'
  /** "Leaf Temperature" (DOUBLE) from macro output of Photosynthesis RIDES. (Float) */
  | 'Leaf_Temperature'
  /** "Light Intensity (PAR)" (DOUBLE) from macro output of Photosynthesis RIDES. (Float) */
  | 'Light_Intensity_PAR'
  /** "NPQt" (DOUBLE) from macro output of Photosynthesis RIDES. (Float) */
  | 'NPQt'
  /** "Phi2" (DOUBLE) from macro output of Photosynthesis RIDES. (Float) */
  | 'Phi2'
  /** "PhiNO" (DOUBLE) from macro output of Photosynthesis RIDES. (Float) */
  | 'PhiNO'
  /** "PhiNPQ" (DOUBLE) from macro output of Photosynthesis RIDES. (Float) */
  | 'PhiNPQ'
  /** "Relative Chlorophyll" (DOUBLE) from macro output of Photosynthesis RIDES. (Float) */
  | 'Relative_Chlorophyll'
  /** The device that measured. (String) */
  | 'deviceId'
  /** The experiment. (ID) */
  | 'experimentId'
  /** "gH+" (DOUBLE) from macro output of Photosynthesis RIDES. (Float) */
  | 'gH'
  /** "qL" (DOUBLE) from macro output of Photosynthesis RIDES. (Float) */
  | 'qL'
  /** The sample's 64-bit row id. (ID) */
  | 'rowId'
  /** When the sample was taken. (DateTime) */
  | 'timestamp'
  /** The contributor's `userId` (a pseudonym in anonymized experiments). (String) */
  | 'userId'
  /** "vH+" (DOUBLE) from macro output of Photosynthesis RIDES. (Float) */
  | 'vH';

/** One sort key. Rows with equal keys keep a stable order (by row id), so paging never skips or repeats. */
export type PhotosynthesisMeasurementOrderBy = {
  direction?: SortDirection | null | undefined;
  field: PhotosynthesisMeasurementField;
  /** Default LAST. */
  nulls?: NullsOrder | null | undefined;
};

/** Filters rows. Fields and the items of `_and` must all match; value operators never match missing values (use `isNull`). */
export type PhotosynthesisMeasurementWhere = {
  /** "ECSt" (DOUBLE) from macro output of Photosynthesis RIDES. */
  ECSt?: FloatFilter | null | undefined;
  /** "FvP/FmP" (DOUBLE) from macro output of Photosynthesis RIDES. */
  FvP_FmP?: FloatFilter | null | undefined;
  /** "LEF" (DOUBLE) from macro output of Photosynthesis RIDES. */
  LEF?: FloatFilter | null | undefined;
  /** "Leaf Temperature" (DOUBLE) from macro output of Photosynthesis RIDES. */
  Leaf_Temperature?: FloatFilter | null | undefined;
  /** "Light Intensity (PAR)" (DOUBLE) from macro output of Photosynthesis RIDES. */
  Light_Intensity_PAR?: FloatFilter | null | undefined;
  /** "NPQt" (DOUBLE) from macro output of Photosynthesis RIDES. */
  NPQt?: FloatFilter | null | undefined;
  /** "Phi2" (DOUBLE) from macro output of Photosynthesis RIDES. */
  Phi2?: FloatFilter | null | undefined;
  /** "PhiNO" (DOUBLE) from macro output of Photosynthesis RIDES. */
  PhiNO?: FloatFilter | null | undefined;
  /** "PhiNPQ" (DOUBLE) from macro output of Photosynthesis RIDES. */
  PhiNPQ?: FloatFilter | null | undefined;
  /** "Relative Chlorophyll" (DOUBLE) from macro output of Photosynthesis RIDES. */
  Relative_Chlorophyll?: FloatFilter | null | undefined;
  /** All of these match (`[]` matches every row). */
  _and?: Array<PhotosynthesisMeasurementWhere> | null | undefined;
  /** Rows this filter does not match. */
  _not?: PhotosynthesisMeasurementWhere | null | undefined;
  /** At least one of these matches (`[]` matches no row). */
  _or?: Array<PhotosynthesisMeasurementWhere> | null | undefined;
  /** The device that measured. */
  deviceId?: StringFilter | null | undefined;
  /** The experiment. */
  experimentId?: IdFilter | null | undefined;
  /** "gH+" (DOUBLE) from macro output of Photosynthesis RIDES. */
  gH?: FloatFilter | null | undefined;
  /** The row has a comment or flag (negate with `_not`). */
  hasAnnotation?: AnnotationFilter | null | undefined;
  /** "qL" (DOUBLE) from macro output of Photosynthesis RIDES. */
  qL?: FloatFilter | null | undefined;
  /** A question answered on the device (combine several with `_and`). */
  question?: QuestionFilter | null | undefined;
  /** The sample's 64-bit row id. */
  rowId?: IdFilter | null | undefined;
  /** When the sample was taken. */
  timestamp?: DateTimeFilter | null | undefined;
  /** The contributor's `userId` (a pseudonym in anonymized experiments). */
  userId?: StringFilter | null | undefined;
  /** "vH+" (DOUBLE) from macro output of Photosynthesis RIDES. */
  vH?: FloatFilter | null | undefined;
};

/** The row has a question with this label (answered on the device), and with this answer when `eq`/`in` is given. */
export type QuestionFilter = {
  /** The answer equals this text. */
  eq?: string | null | undefined;
  /** The answer is one of these (at most 1000). */
  in?: Array<string> | null | undefined;
  label: string;
};

export type SortDirection =
  | 'ASC'
  | 'DESC';

/** Conditions on a String value; all given conditions must hold. */
export type StringFilter = {
  /** Contains this text (case-sensitive). */
  contains?: string | null | undefined;
  /** Equal to. */
  eq?: string | null | undefined;
  /** One of these values (at most 1000). */
  in?: Array<string> | null | undefined;
  /** true: the value is missing (or does not have the field's type); false: it is present. */
  isNull?: boolean | null | undefined;
  /** Not equal to (null values never match; use `isNull`). */
  neq?: string | null | undefined;
  /** None of these values (at most 1000); null values never match. */
  nin?: Array<string> | null | undefined;
  /** Starts with this text (case-sensitive). */
  startsWith?: string | null | undefined;
};

export type UpdateAnnotationInput = {
  /** Makes the mutation exactly once: a repeat with the same id and input (by you) returns the first result and writes nothing; the same id with other input is IDEMPOTENCY_CONFLICT. */
  clientMutationId?: string | null | undefined;
  experimentId: string;
  /** A flag's new type; left out: unchanged. */
  flagType?: FlagType | null | undefined;
  /** The annotation. */
  id: string;
  /** New text (null clears a flag's text); left out: unchanged. */
  text?: string | null | undefined;
};

export type AnnotationFieldsFragment = { id: string, table: string, rowId: string, type: AnnotationType, flagType: FlagType | null, text: string | null, createdBy: string, createdByName: string | null, createdAt: string, updatedAt: string };

export type AddAnnotationMutationVariables = Exact<{
  input: AddAnnotationInput;
}>;


export type AddAnnotationMutation = { addAnnotation: { clientMutationId: string | null, annotations: Array<{ id: string, table: string, rowId: string, type: AnnotationType, flagType: FlagType | null, text: string | null, createdBy: string, createdByName: string | null, createdAt: string, updatedAt: string }> } };

export type UpdateAnnotationMutationVariables = Exact<{
  input: UpdateAnnotationInput;
}>;


export type UpdateAnnotationMutation = { updateAnnotation: { clientMutationId: string | null, annotations: Array<{ id: string, table: string, rowId: string, type: AnnotationType, flagType: FlagType | null, text: string | null, createdBy: string, createdByName: string | null, createdAt: string, updatedAt: string }> } };

export type DeleteAnnotationMutationVariables = Exact<{
  input: DeleteAnnotationInput;
}>;


export type DeleteAnnotationMutation = { deleteAnnotation: { clientMutationId: string | null, annotations: Array<{ id: string }> } };

export type DeviceDailyChartQueryVariables = Exact<{
  experimentId: string;
  timeZone: string;
  where?: PhotosynthesisMeasurementWhere | null | undefined;
}>;


export type DeviceDailyChartQuery = { experiment: { id: string, photosynthesisAggregate: { count: number, groups: Array<{ count: number, key: { deviceId: string | null, time: string | null, timeLocal: string | null }, avg: { Phi2: number | null, PhiNPQ: number | null }, max: { Light_Intensity_PAR: number | null } }> } } | null };

export type StreamHeadQueryVariables = Exact<{
  experimentId: string;
}>;


export type StreamHeadQuery = { experiment: { id: string, streamHead: { measurements: string } } | null };

export type LiveMeasurementsSubscriptionVariables = Exact<{
  experimentId: string;
  after?: string | null | undefined;
}>;


export type LiveMeasurementsSubscription = { measurementAdded: { cursor: string, measurement:
      | { id: string, rowId: string, experimentId: string, macroFilename: string, timestamp: string | null, deviceId: string | null }
      | { id: string, rowId: string, experimentId: string, macroFilename: string, timestamp: string | null, deviceId: string | null }
      | { id: string, rowId: string, experimentId: string, macroFilename: string, timestamp: string | null, deviceId: string | null }
      | { Phi2: number | null, PhiNPQ: number | null, id: string, rowId: string, experimentId: string, macroFilename: string, timestamp: string | null, deviceId: string | null }
      | { id: string, rowId: string, experimentId: string, macroFilename: string, timestamp: string | null, deviceId: string | null }
     } };

export type MeasurementTableQueryVariables = Exact<{
  experimentId: string;
  first: number;
  after?: string | null | undefined;
  where?: PhotosynthesisMeasurementWhere | null | undefined;
  orderBy?: Array<PhotosynthesisMeasurementOrderBy> | PhotosynthesisMeasurementOrderBy | null | undefined;
}>;


export type MeasurementTableQuery = { experiment: { id: string, name: string, photosynthesis: { totalCount: number | null, edges: Array<{ cursor: string, node: { id: string, rowId: string, timestamp: string | null, deviceId: string | null, Phi2: number | null, PhiNPQ: number | null, Light_Intensity_PAR: number | null, output: JsonValue | null, messages: { warning: Array<string | null> | null } | null, device: { id: string, name: string | null } | null, contributor: { id: string, userId: string, displayName: string } | null, annotations: Array<{ id: string, table: string, rowId: string, type: AnnotationType, flagType: FlagType | null, text: string | null, createdBy: string, createdByName: string | null, createdAt: string, updatedAt: string }> | null } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } } | null };

export type MeasurementRowFragment = { id: string, rowId: string, timestamp: string | null, deviceId: string | null, Phi2: number | null, PhiNPQ: number | null, Light_Intensity_PAR: number | null, output: JsonValue | null, messages: { warning: Array<string | null> | null } | null, device: { id: string, name: string | null } | null, contributor: { id: string, userId: string, displayName: string } | null, annotations: Array<{ id: string, table: string, rowId: string, type: AnnotationType, flagType: FlagType | null, text: string | null, createdBy: string, createdByName: string | null, createdAt: string, updatedAt: string }> | null };

export const AnnotationFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"AnnotationFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Annotation"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"table"}},{"kind":"Field","name":{"kind":"Name","value":"rowId"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"flagType"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"createdBy"}},{"kind":"Field","name":{"kind":"Name","value":"createdByName"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]} as unknown as DocumentNode<AnnotationFieldsFragment, unknown>;
export const MeasurementRowFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"MeasurementRow"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"PhotosynthesisMeasurement"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"rowId"}},{"kind":"Field","name":{"kind":"Name","value":"timestamp"}},{"kind":"Field","name":{"kind":"Name","value":"deviceId"}},{"kind":"Field","name":{"kind":"Name","value":"Phi2"}},{"kind":"Field","name":{"kind":"Name","value":"PhiNPQ"}},{"kind":"Field","name":{"kind":"Name","value":"Light_Intensity_PAR"}},{"kind":"Field","name":{"kind":"Name","value":"messages"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"warning"}}]}},{"kind":"Field","name":{"kind":"Name","value":"output"}},{"kind":"Field","name":{"kind":"Name","value":"device"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"contributor"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"userId"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}}]}},{"kind":"Field","name":{"kind":"Name","value":"annotations"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"AnnotationFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"AnnotationFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Annotation"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"table"}},{"kind":"Field","name":{"kind":"Name","value":"rowId"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"flagType"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"createdBy"}},{"kind":"Field","name":{"kind":"Name","value":"createdByName"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]} as unknown as DocumentNode<MeasurementRowFragment, unknown>;
export const AddAnnotationDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"AddAnnotation"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"AddAnnotationInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"addAnnotation"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"clientMutationId"}},{"kind":"Field","name":{"kind":"Name","value":"annotations"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"AnnotationFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"AnnotationFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Annotation"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"table"}},{"kind":"Field","name":{"kind":"Name","value":"rowId"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"flagType"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"createdBy"}},{"kind":"Field","name":{"kind":"Name","value":"createdByName"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]} as unknown as DocumentNode<AddAnnotationMutation, AddAnnotationMutationVariables>;
export const UpdateAnnotationDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateAnnotation"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateAnnotationInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateAnnotation"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"clientMutationId"}},{"kind":"Field","name":{"kind":"Name","value":"annotations"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"AnnotationFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"AnnotationFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Annotation"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"table"}},{"kind":"Field","name":{"kind":"Name","value":"rowId"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"flagType"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"createdBy"}},{"kind":"Field","name":{"kind":"Name","value":"createdByName"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]} as unknown as DocumentNode<UpdateAnnotationMutation, UpdateAnnotationMutationVariables>;
export const DeleteAnnotationDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DeleteAnnotation"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DeleteAnnotationInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deleteAnnotation"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"clientMutationId"}},{"kind":"Field","name":{"kind":"Name","value":"annotations"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]}}]} as unknown as DocumentNode<DeleteAnnotationMutation, DeleteAnnotationMutationVariables>;
export const DeviceDailyChartDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"DeviceDailyChart"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"experimentId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"timeZone"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"where"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"PhotosynthesisMeasurementWhere"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"experiment"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"experimentId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"photosynthesisAggregate"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"groupBy"},"value":{"kind":"ListValue","values":[{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"device"},"value":{"kind":"BooleanValue","value":true}}]},{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"time"},"value":{"kind":"EnumValue","value":"timestamp"}}]}]}},{"kind":"Argument","name":{"kind":"Name","value":"timeBucket"},"value":{"kind":"EnumValue","value":"DAY"}},{"kind":"Argument","name":{"kind":"Name","value":"timeZone"},"value":{"kind":"Variable","name":{"kind":"Name","value":"timeZone"}}},{"kind":"Argument","name":{"kind":"Name","value":"where"},"value":{"kind":"Variable","name":{"kind":"Name","value":"where"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"count"}},{"kind":"Field","name":{"kind":"Name","value":"groups"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"key"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deviceId"}},{"kind":"Field","name":{"kind":"Name","value":"time"}},{"kind":"Field","name":{"kind":"Name","value":"timeLocal"}}]}},{"kind":"Field","name":{"kind":"Name","value":"count"}},{"kind":"Field","name":{"kind":"Name","value":"avg"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"Phi2"}},{"kind":"Field","name":{"kind":"Name","value":"PhiNPQ"}}]}},{"kind":"Field","name":{"kind":"Name","value":"max"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"Light_Intensity_PAR"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<DeviceDailyChartQuery, DeviceDailyChartQueryVariables>;
export const StreamHeadDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"StreamHead"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"experimentId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"experiment"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"experimentId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"streamHead"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"measurements"}}]}}]}}]}}]} as unknown as DocumentNode<StreamHeadQuery, StreamHeadQueryVariables>;
export const LiveMeasurementsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"LiveMeasurements"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"experimentId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"measurementAdded"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"experimentId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"experimentId"}}},{"kind":"Argument","name":{"kind":"Name","value":"macros"},"value":{"kind":"ListValue","values":[{"kind":"StringValue","value":"macro_photosynthesis","block":false}]}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"measurement"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"rowId"}},{"kind":"Field","name":{"kind":"Name","value":"experimentId"}},{"kind":"Field","name":{"kind":"Name","value":"macroFilename"}},{"kind":"Field","name":{"kind":"Name","value":"timestamp"}},{"kind":"Field","name":{"kind":"Name","value":"deviceId"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"PhotosynthesisMeasurement"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"Phi2"}},{"kind":"Field","name":{"kind":"Name","value":"PhiNPQ"}}]}}]}}]}}]}}]} as unknown as DocumentNode<LiveMeasurementsSubscription, LiveMeasurementsSubscriptionVariables>;
export const MeasurementTableDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"MeasurementTable"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"experimentId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"where"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"PhotosynthesisMeasurementWhere"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"orderBy"}},"type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"PhotosynthesisMeasurementOrderBy"}}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"experiment"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"experimentId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"photosynthesis"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"where"},"value":{"kind":"Variable","name":{"kind":"Name","value":"where"}}},{"kind":"Argument","name":{"kind":"Name","value":"orderBy"},"value":{"kind":"Variable","name":{"kind":"Name","value":"orderBy"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MeasurementRow"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"AnnotationFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Annotation"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"table"}},{"kind":"Field","name":{"kind":"Name","value":"rowId"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"flagType"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"createdBy"}},{"kind":"Field","name":{"kind":"Name","value":"createdByName"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"MeasurementRow"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"PhotosynthesisMeasurement"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"rowId"}},{"kind":"Field","name":{"kind":"Name","value":"timestamp"}},{"kind":"Field","name":{"kind":"Name","value":"deviceId"}},{"kind":"Field","name":{"kind":"Name","value":"Phi2"}},{"kind":"Field","name":{"kind":"Name","value":"PhiNPQ"}},{"kind":"Field","name":{"kind":"Name","value":"Light_Intensity_PAR"}},{"kind":"Field","name":{"kind":"Name","value":"messages"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"warning"}}]}},{"kind":"Field","name":{"kind":"Name","value":"output"}},{"kind":"Field","name":{"kind":"Name","value":"device"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"contributor"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"userId"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}}]}},{"kind":"Field","name":{"kind":"Name","value":"annotations"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"AnnotationFields"}}]}}]}}]} as unknown as DocumentNode<MeasurementTableQuery, MeasurementTableQueryVariables>;