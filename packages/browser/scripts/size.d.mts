export declare const IIFE_BUDGET_BYTES: number
export declare const IIFE_FILE: string
export declare const ESM_FILE: string
export declare function measure(fileOrCode: string, isCode?: boolean): { raw: number; gzip: number }
export declare function kb(n: number): string
export declare function measureEsm(dist: string): { raw: number; gzip: number; files: number }
