// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { SECRET_MASK } from '../../../src/shared/config'
import { useProviderEditor } from '../../../src/renderer/src/composables/useProviderEditor'
import { PRESETS } from '../../../src/renderer/src/logic/providerForm'
import { fakeClient, provider } from './fakeClient'
import { byTestId, inBody, mountApp, settle } from './mountApp'

afterEach(() => {
  document.body.innerHTML = ''
})

function input(id: string): HTMLInputElement {
  const el = inBody(id)?.querySelector('input')
  if (!el) throw new Error(`no input in ${id}`)
  return el
}
function type(id: string, value: string): void {
  const el = input(id)
  el.value = value
  el.dispatchEvent(new Event('input'))
}

describe('provider editor (composable)', () => {
  it('add: preset, test the draft, save what upsertProvider expects', async () => {
    const fake = fakeClient({ providers: [provider('ollama')] })
    const saved: string[] = []
    const editor = useProviderEditor(fake.client, (id) => saved.push(id))
    await editor.startAdd(PRESETS.find((p) => p.id === 'ollama'))
    expect(editor.form.value).toMatchObject({ id: 'ollama-2', kind: 'ollama', baseUrl: 'http://127.0.0.1:11434' })
    await editor.test()
    expect(fake.client.testProviderDraft).toHaveBeenCalledWith(expect.objectContaining({ id: 'ollama-2', kind: 'ollama', baseUrl: 'http://127.0.0.1:11434' }))
    expect(editor.testResult.value).toMatchObject({ ok: true, latencyMs: 7 })
    expect(editor.modelOptions.value).toEqual(['ollama-2-model', 'ollama-2-big'])
    editor.form.value.models = ['ollama-2-model']
    expect(await editor.save()).toBe(true)
    expect(fake.client.upsertProvider).toHaveBeenCalledWith({ id: 'ollama-2', provider: expect.objectContaining({ models: ['ollama-2-model'] }) })
    expect(saved).toEqual(['ollama-2'])
    expect(editor.open.value).toBe(false)
  })

  it('does not save a form with problems, and shows the gateway’s refusal', async () => {
    const fake = fakeClient({ providers: [provider('a')] })
    const editor = useProviderEditor(fake.client, () => undefined)
    await editor.startAdd()
    expect(await editor.save()).toBe(false)
    expect(Object.keys(editor.errors.value).sort()).toEqual(['baseUrl', 'id'])
    expect(fake.client.upsertProvider).not.toHaveBeenCalled()
    editor.form.value = { ...editor.form.value, id: 'b', baseUrl: 'http://x:1', weight: -5 }
    editor.form.value.weight = 1
    fake.client.upsertProvider.mockRejectedValueOnce(new Error('invalid provider: limits.rpm: Too small'))
    expect(await editor.save()).toBe(false)
    expect(editor.saveError.value).toContain('Requests / min: Too small')
    expect(editor.open.value).toBe(true)
  })

  it('edit keeps a stored key by sending the mask', async () => {
    const fake = fakeClient({ providers: [provider('openai', { keySet: true })] })
    const editor = useProviderEditor(fake.client, () => undefined)
    expect(await editor.startEdit('openai')).toBeUndefined()
    expect(editor.form.value).toMatchObject({ keyStored: true, keyAction: 'keep' })
    editor.form.value.weight = 4
    await editor.save()
    expect(fake.client.upsertProvider).toHaveBeenCalledWith({ id: 'openai', provider: expect.objectContaining({ apiKey: SECRET_MASK, weight: 4 }) })
    expect(await editor.startEdit('gone')).toContain('no provider "gone"')
  })
})

describe('providers screen', () => {
  it('lists providers with kind, health, key state; adds one through the drawer', async () => {
    const fake = fakeClient({ providers: [provider('alpha', { name: 'Alpha', keySet: true, models: ['m1'] })], activeProvider: 'alpha' })
    const wrapper = await mountApp(fake, 'providers')
    const card = byTestId(wrapper, 'provider-card-alpha')
    expect(card.text()).toContain('Alpha')
    expect(card.text()).toContain('OpenAI-compatible')
    expect(card.text()).toContain('key set')
    expect(card.text()).toContain('m1')
    expect(byTestId(wrapper, 'provider-active-tag-alpha').exists()).toBe(true)

    await byTestId(wrapper, 'add-provider').trigger('click')
    await settle()
    expect(inBody('provider-form')).not.toBeNull()
    type('provider-id', 'beta')
    type('provider-base-url', 'http://127.0.0.1:8000/v1')
    type('provider-key', 'sk-typed')
    await flushPromises()
    ;(inBody('provider-test') as HTMLButtonElement).click()
    await settle()
    expect(inBody('test-result')?.textContent).toContain('Connected in 7 ms · 2 models')
    expect(inBody('test-models')?.textContent).toContain('beta-model')
    ;(inBody('provider-save') as HTMLButtonElement).click()
    await settle()
    expect(fake.client.upsertProvider).toHaveBeenCalledWith({ id: 'beta', provider: expect.objectContaining({ id: 'beta', baseUrl: 'http://127.0.0.1:8000/v1', apiKey: 'sk-typed' }) })
    expect(byTestId(wrapper, 'provider-card-beta').text()).toContain('key set')
    // The typed key is not on the page once saved.
    expect(byTestId(wrapper, 'providers-list').html()).not.toContain('sk-typed')
    // ...and the closing form forgets it.
    expect(input('provider-key').value).toBe('')
    wrapper.unmount()
  })

  it('test, make active, disable and remove from a card', async () => {
    const fake = fakeClient({ providers: [provider('a'), provider('b')], activeProvider: 'a' })
    const wrapper = await mountApp(fake, 'providers')
    await byTestId(wrapper, 'provider-test-b').trigger('click')
    await settle()
    expect(byTestId(wrapper, 'provider-card-b').text()).toContain('Connected in 12 ms · 1 model')

    await byTestId(wrapper, 'provider-make-active-b').trigger('click')
    await settle()
    expect(fake.client.setActiveProvider).toHaveBeenCalledWith({ id: 'b' })
    expect(byTestId(wrapper, 'provider-active-tag-b').exists()).toBe(true)

    await byTestId(wrapper, 'provider-enabled-a').trigger('click')
    await settle()
    expect(fake.client.upsertProvider).toHaveBeenCalledWith({ id: 'a', provider: expect.objectContaining({ enabled: false }) })
    expect(byTestId(wrapper, 'provider-card-a').text()).toContain('disabled')

    await byTestId(wrapper, 'provider-remove-a').trigger('click')
    await settle()
    const confirm = [...document.body.querySelectorAll('.n-popconfirm__action button')].find((b) => b.textContent?.includes('Remove')) as HTMLButtonElement
    confirm.click()
    await settle()
    expect(fake.client.removeProvider).toHaveBeenCalledWith({ id: 'a' })
    expect(byTestId(wrapper, 'provider-card-a').exists()).toBe(false)
    wrapper.unmount()
  })

  it('empty: preset buttons open a filled-in form; the web dashboard does not promise encryption', async () => {
    const fake = fakeClient()
    const wrapper = await mountApp(fake, 'providers')
    expect(byTestId(wrapper, 'providers-empty').text()).not.toContain('encrypted')
    await byTestId(wrapper, 'quick-add-vllm').trigger('click')
    await settle()
    expect(input('provider-base-url').value).toBe('http://127.0.0.1:8000/v1')
    expect(input('provider-id').value).toBe('vllm')
    expect(inBody('provider-form')?.textContent).toContain('Saved in the gateway’s config file as typed')
    wrapper.unmount()
  })

  it('desktop app on a machine without a keyring warns next to the key', async () => {
    const fake = fakeClient({ desktop: { available: true, secretStorage: 'basic_text', notices: [], notifications: false, launchAtLogin: false, launchAtLoginSupported: true } })
    const wrapper = await mountApp(fake, 'providers')
    await byTestId(wrapper, 'add-provider').trigger('click')
    await settle()
    expect(inBody('key-storage-warning')?.textContent).toContain('obfuscated')
    wrapper.unmount()
  })
})
