import { createApp } from 'vue'
import App from './App.vue'
import { createClient } from './api/createClient'
import { clientKey } from './api/injection'

createApp(App).provide(clientKey, createClient(window)).mount('#app')
