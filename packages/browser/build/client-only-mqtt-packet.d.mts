export declare const SERVER_ONLY: Record<string, string[]>
export declare function mqttPacketDir(coreDir: string): string
export declare function clientOnlySources(dir: string): Map<string, { original: string; code: string; cut: number }>
export declare function clientOnlySourcesOnce(dir: string): Map<string, { original: string; code: string; cut: number }>
export declare function clientOnlyMqttPacket(dir: string): { name: string; transform(code: string, id: string): { code: string; map: null } | null }
