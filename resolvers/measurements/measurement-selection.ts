/**
 * Which VARIANT paths a GraphQL selection needs. A page statement projects only these (each try-cast to its type),
 * so a query for three fields of a 200-field macro reads three paths.
 */
import type { GraphQLResolveInfo, SelectionSetNode } from "graphql";
import type { MacroTypeModel, ModelField } from "../../codegen/macro-type-model.js";
import { allFields } from "../selection.js";
import { ANSWERS_FIELD_NAME } from "./query-fields.js";

export interface MeasurementSelection {
  /** Fields read by SQL on their own (scalars, lists, JSON, lists of objects), in model order. */
  readonly leaves: readonly ModelField[];
  /** Whether the whole `output` object is selected. */
  readonly output: boolean;
  /** The typed answers selected under `answers`, in model order (`answerLeaves`). */
  readonly answers: readonly ModelField[];
}

/** Leaves of a model in a stable order, each with its column alias (`v0`, `v1`, …). */
export function modelLeaves(model: MacroTypeModel): ReadonlyMap<ModelField, string> {
  let leaves = LEAF_CACHE.get(model);
  if (!leaves) {
    const map = new Map<ModelField, string>();
    const walk = (fields: readonly ModelField[]) => {
      for (const f of fields) {
        if (f.withinList) continue;
        if (f.type.kind === "object") walk(f.type.object.fields);
        else map.set(f, `v${map.size}`);
      }
    };
    walk(model.fields);
    leaves = map;
    LEAF_CACHE.set(model, leaves);
  }
  return leaves;
}
const LEAF_CACHE = new WeakMap<MacroTypeModel, ReadonlyMap<ModelField, string>>();

/** The typed answers of a model in a stable order, each with its column alias (`a0`, `a1`, …). */
export function answerLeaves(model: MacroTypeModel): ReadonlyMap<ModelField, string> {
  let leaves = ANSWER_CACHE.get(model);
  if (!leaves) {
    leaves = new Map((model.answers?.fields ?? []).map((f, i) => [f, `a${i}`]));
    ANSWER_CACHE.set(model, leaves);
  }
  return leaves;
}
const ANSWER_CACHE = new WeakMap<MacroTypeModel, ReadonlyMap<ModelField, string>>();

/** Collects the model fields selected under the given node selection sets (fragments included). */
export function selectMeasurementFields(
  model: MacroTypeModel,
  nodeSelections: readonly SelectionSetNode[],
  info: GraphQLResolveInfo,
): MeasurementSelection {
  const selected = new Set<ModelField>();
  const answers = new Set<ModelField>();
  const answerFields = new Map((model.answers?.fields ?? []).map((f) => [f.name, f]));
  let output = false;
  const visit = (fields: readonly ModelField[], sets: readonly SelectionSetNode[], top: boolean) => {
    const byName = new Map(fields.map((f) => [f.name, f]));
    for (const set of sets) {
      for (const node of allFields(set, info)) {
        if (top && node.name.value === "output") output = true;
        if (top && model.answers && node.name.value === ANSWERS_FIELD_NAME && node.selectionSet) {
          for (const answer of allFields(node.selectionSet, info)) {
            const field = answerFields.get(answer.name.value);
            if (field) answers.add(field);
          }
          continue;
        }
        const field = byName.get(node.name.value);
        if (!field) continue;
        if (field.type.kind === "object") {
          if (node.selectionSet) visit(field.type.object.fields, [node.selectionSet], false);
        } else {
          selected.add(field);
        }
      }
    }
  };
  visit(model.fields, nodeSelections, true);
  const leaves = [...modelLeaves(model).keys()].filter((f) => selected.has(f));
  return { leaves, output, answers: [...answerLeaves(model).keys()].filter((f) => answers.has(f)) };
}
