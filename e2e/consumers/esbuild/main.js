// Bundled with `esbuild main.js --bundle --format=esm` and nothing else.
import { roundTrip } from '../shared/round-trip.js'

roundTrip('esbuild')
