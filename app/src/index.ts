export * from "./pda";
export * from "./math";
export * from "./client";
export * from "./localnetOracle";
export * from "./oracle";
