/**
 * Which VARIANT paths a GraphQL selection needs. A page statement projects only these (each try-cast to its type),
 * so a query for three fields of a 200-field macro reads three paths.
 */
import type { GraphQLResolveInfo, SelectionSetNode } from "graphql";
import type { MacroTypeModel, ModelField } from "../../codegen/macro-type-model.js";
import { allFields } from "../selection.js";

export interface MeasurementSelection {
  /** Fields read by SQL on their own (scalars, lists, JSON, lists of objects), in model order. */
  readonly leaves: readonly ModelField[];
  /** Whether the whole `output` object is selected. */
  readonly output: boolean;
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

/** Collects the model fields selected under the given node selection sets (fragments included). */
export function selectMeasurementFields(
  model: MacroTypeModel,
  nodeSelections: readonly SelectionSetNode[],
  info: GraphQLResolveInfo,
): MeasurementSelection {
  const selected = new Set<ModelField>();
  let output = false;
  const visit = (fields: readonly ModelField[], sets: readonly SelectionSetNode[], top: boolean) => {
    const byName = new Map(fields.map((f) => [f.name, f]));
    for (const set of sets) {
      for (const node of allFields(set, info)) {
        if (top && node.name.value === "output") output = true;
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
  return { leaves, output };
}
