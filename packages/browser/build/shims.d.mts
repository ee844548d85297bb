export declare const SHIMS: Record<string, string>
