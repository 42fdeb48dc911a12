/** The Pothos builder type shared by the static schema and the per-macro types generated at runtime. */
import SchemaBuilder from "@pothos/core";
import type { GatewayContext } from "../resolvers/context.js";

export interface GatewaySchemaTypes {
  Context: GatewayContext;
  Scalars: {
    ID: { Input: string; Output: string | bigint };
    BigInt: { Input: bigint; Output: bigint | number | string };
    Decimal: { Input: string; Output: string };
    DateTime: { Input: Date; Output: string | Date };
    Date: { Input: string; Output: string };
    JSON: { Input: unknown; Output: unknown };
  };
}

export type GatewayTypes = PothosSchemaTypes.ExtendDefaultTypes<GatewaySchemaTypes>;
export type GatewayBuilder = PothosSchemaTypes.SchemaBuilder<GatewayTypes>;
export type Ref<T> = import("@pothos/core").ObjectRef<GatewayTypes, T>;
export type GatewayArgBuilder = import("@pothos/core").ArgBuilder<GatewayTypes>;

export function createBuilder(): GatewayBuilder {
  return new SchemaBuilder<GatewaySchemaTypes>({});
}
