import { createApp, h } from 'vue'

createApp({ render: () => h('p', 'Switchyard') }).mount('#app')
