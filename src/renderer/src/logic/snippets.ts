// Copyable snippets for pointing tools at the gateway. Plain strings, rendered as text (never HTML).
export interface Snippet {
  id: string
  title: string
  language: string
  code: string
}

export function snippets(baseUrl: string, model = 'your-model'): Snippet[] {
  const base = baseUrl.replace(/\/+$/, '')
  return [
    {
      id: 'openai-python',
      title: 'OpenAI SDK (Python)',
      language: 'python',
      code: `from openai import OpenAI

# Any key works; an sy-… app key (Settings → App keys) names your app in usage
client = OpenAI(base_url="${base}/v1", api_key="switchyard")
reply = client.chat.completions.create(
    model="${model}",
    messages=[{"role": "user", "content": "Hello"}],
)
print(reply.choices[0].message.content)`,
    },
    {
      id: 'openai-node',
      title: 'OpenAI SDK (Node)',
      language: 'ts',
      code: `import OpenAI from 'openai'

const client = new OpenAI({ baseURL: '${base}/v1', apiKey: 'switchyard' })
const reply = await client.chat.completions.create({
  model: '${model}',
  messages: [{ role: 'user', content: 'Hello' }],
})
console.log(reply.choices[0].message.content)`,
    },
    {
      id: 'anthropic',
      title: 'Anthropic SDK / Claude Code',
      language: 'sh',
      code: `# Claude Code and the Anthropic SDKs read these variables
export ANTHROPIC_BASE_URL=${base}
export ANTHROPIC_API_KEY=switchyard  # or an sy-… app key
claude`,
    },
    {
      id: 'curl',
      title: 'curl',
      language: 'sh',
      code: `curl ${base}/v1/chat/completions \\
  -H 'content-type: application/json' \\
  -d '{"model": "${model}", "messages": [{"role": "user", "content": "Hello"}]}'`,
    },
  ]
}

