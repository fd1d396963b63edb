import { BOOTH_LANGUAGES, type BoothLanguage, type BoothText } from './i18n.ts';

export interface BoothPreferences {
  readonly language: BoothLanguage;
  readonly largeText: boolean;
  readonly highContrast: boolean;
}

export const DEFAULT_PREFERENCES: BoothPreferences = {
  language: 'en',
  largeText: false,
  highContrast: false,
};

/**
 * Language, large text and high contrast, reachable from every booth screen. Toggles are
 * buttons with aria-pressed (WAI-ARIA button pattern), the language a pair of buttons
 * each named in its own language, so a voter who cannot read English finds Español.
 */
export function BoothSettings({
  preferences,
  onChange,
  t,
}: {
  preferences: BoothPreferences;
  onChange: (preferences: BoothPreferences) => void;
  t: BoothText;
}) {
  return (
    <div className="booth-settings" role="group" aria-label={t('settings')}>
      <div className="booth-setting-group" role="group" aria-label={t('language')}>
        {BOOTH_LANGUAGES.map((language) => (
          <button
            key={language.code}
            type="button"
            lang={language.code}
            aria-pressed={preferences.language === language.code}
            onClick={() => {
              onChange({ ...preferences, language: language.code });
            }}
          >
            {language.name}
          </button>
        ))}
      </div>
      <button
        type="button"
        aria-pressed={preferences.largeText}
        onClick={() => {
          onChange({ ...preferences, largeText: !preferences.largeText });
        }}
      >
        {t('largeText')}
      </button>
      <button
        type="button"
        aria-pressed={preferences.highContrast}
        onClick={() => {
          onChange({ ...preferences, highContrast: !preferences.highContrast });
        }}
      >
        {t('highContrast')}
      </button>
    </div>
  );
}
