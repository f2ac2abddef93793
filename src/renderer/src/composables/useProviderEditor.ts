// The add/edit provider drawer's state: which provider, the form, the connection test and saving.
// Editing reads the provider from the (masked) config, so limits, queue, timeouts and pricing
// are shown as stored; the key only as "stored".
import { computed, ref, shallowRef, type Ref, type ShallowRef } from 'vue'
import type { ProviderTestResult } from '../../../shared/api'
import { friendlyError } from '../logic/friendlyErrors'
import { ApiClientError, errorMessage, type UiClient } from '../api/types'
import { applyPreset, emptyForm, formFromProvider, hasErrors, providerFromForm, validateForm, type FormErrors, type ProviderForm, type ProviderPreset } from '../logic/providerForm'

export interface ProviderEditor {
  open: Ref<boolean>
  mode: Ref<'add' | 'edit'>
  form: Ref<ProviderForm>
  errors: ShallowRef<FormErrors>
  takenIds: ShallowRef<string[]>
  saving: Ref<boolean>
  saveError: Ref<string | undefined>
  testing: Ref<boolean>
  testResult: ShallowRef<ProviderTestResult | undefined>
  /** Models to offer in the models field: configured, discovered at the last test. */
  modelOptions: Ref<string[]>
  startAdd(preset?: ProviderPreset): Promise<void>
  startEdit(id: string): Promise<string | undefined>
  test(): Promise<void>
  save(): Promise<boolean>
  close(): void
}

export function useProviderEditor(client: UiClient, onSaved: (id: string) => void): ProviderEditor {
  const open = ref(false)
  const mode = ref<'add' | 'edit'>('add')
  const form = ref<ProviderForm>(emptyForm())
  const errors = shallowRef<FormErrors>({})
  const takenIds = shallowRef<string[]>([])
  const saving = ref(false)
  const saveError = ref<string>()
  const testing = ref(false)
  const testResult = shallowRef<ProviderTestResult>()
  const discovered = ref<string[]>([])

  const reset = (next: ProviderForm, m: 'add' | 'edit'): void => {
    form.value = next
    mode.value = m
    errors.value = {}
    saveError.value = undefined
    testResult.value = undefined
    discovered.value = []
    open.value = true
  }

  return {
    open,
    mode,
    form,
    errors,
    takenIds,
    saving,
    saveError,
    testing,
    testResult,
    modelOptions: computed(() => [...new Set([...form.value.models, ...discovered.value])]),
    async startAdd(preset) {
      try {
        takenIds.value = (await client.listProviders()).items.map((p) => p.id)
      } catch {
        takenIds.value = []
      }
      const next = emptyForm()
      reset(preset ? applyPreset(next, preset, takenIds.value) : next, 'add')
    },
    async startEdit(id) {
      try {
        const config = await client.getConfig()
        const provider = config.providers.find((p) => p.id === id)
        if (!provider) return `There is no provider "${id}" any more.`
        takenIds.value = config.providers.map((p) => p.id)
        reset(formFromProvider(provider), 'edit')
        // What the backend reported (discovery) is offered alongside the configured models.
        const view = (await client.listProviders().catch(() => ({ items: [] }))).items.find((p) => p.id === id)
        discovered.value = view?.discoveredModels ?? []
        return undefined
      } catch (err) {
        return errorMessage(err)
      }
    },
    async test() {
      const problems = validateForm(form.value, { takenIds: [], editing: true })
      if (problems.baseUrl) {
        errors.value = problems
        return
      }
      testing.value = true
      testResult.value = undefined
      try {
        const draft = providerFromForm(form.value)
        const result = await client.testProviderDraft({ ...draft, id: draft.id || 'draft' })
        testResult.value = result
        discovered.value = result.models
      } catch (err) {
        testResult.value = { ok: false, models: [], error: errorMessage(err) }
      } finally {
        testing.value = false
      }
    },
    async save() {
      const problems = validateForm(form.value, { takenIds: takenIds.value, editing: mode.value === 'edit' })
      errors.value = problems
      if (hasErrors(problems)) return false
      saving.value = true
      saveError.value = undefined
      try {
        const provider = providerFromForm(form.value)
        const saved = await client.upsertProvider({ id: provider.id, provider })
        // The key has gone to the gateway; the page need not hold on to it.
        form.value = { ...form.value, keyValue: '' }
        open.value = false
        onSaved(saved.id)
        return true
      } catch (err) {
        // The gateway names the provider by its place in the config: this one's is known here.
        const id = form.value.id.trim()
        const ids = mode.value === 'edit' ? takenIds.value : [...takenIds.value, id]
        saveError.value = err instanceof Error && !(err instanceof ApiClientError && err.code === 'unauthorized') ? friendlyError(err.message, ids) : errorMessage(err)
        return false
      } finally {
        saving.value = false
      }
    },
    close() {
      open.value = false
    },
  }
}
