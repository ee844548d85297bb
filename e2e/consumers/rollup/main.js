// Bundled by Rollup 4 with only @rollup/plugin-node-resolve (defaults).
import { roundTrip } from '../shared/round-trip.js'

roundTrip('rollup')
