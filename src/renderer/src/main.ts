import { createApp, type App as VueApp } from 'vue'
import App from './App.vue'
import { watchTokenLinks } from './api/adminToken'
import { createClient } from './api/createClient'
import { clientKey } from './api/injection'

const client = createClient(window)
let app: VueApp | undefined
function mount(): void {
  app = createApp(App).provide(clientKey, client)
  app.mount('#app')
}
mount()

// Web mode: a dashboard link pasted into this open tab brings a new token; use it at once (every
// screen loads again) and take it out of the address bar — no reload.
if (client.setToken) {
  watchTokenLinks(window, { location: window.location, history: window.history, storage: window.sessionStorage }, (token) => {
    client.setToken!(token)
    app?.unmount()
    mount()
  })
}
