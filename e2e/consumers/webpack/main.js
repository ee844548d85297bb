// Bundled by webpack 5 with only entry, output and mode (no fallbacks, no plugins).
import { roundTrip } from '../shared/round-trip.js'

roundTrip('webpack')
