import './styles.css'
import { DemoApp } from './app.js'

new DemoApp().start()
