/**
 * The voting booth's words, in English and Spanish. Every string a voter can meet in the
 * booth is here, in both languages (Section 203 of the Voting Rights Act requires ballots
 * in the languages of the county's language minorities; Spanish is the commonest). The
 * server's own problem messages arrive in English and are shown as they are.
 */

export type BoothLanguage = 'en' | 'es';

export const BOOTH_LANGUAGES: readonly { code: BoothLanguage; name: string }[] = [
  { code: 'en', name: 'English' },
  { code: 'es', name: 'Español' },
];

const en = {
  title: 'Voting booth',
  settings: 'Display and language',
  language: 'Language',
  largeText: 'Large text',
  highContrast: 'High contrast',
  setupHeading: 'Set up this booth',
  setupIntro:
    'A poll worker sets up this booth once, with the station token an administrator gave it when registering it as a voting booth. Voters do not need to sign in.',
  setupToken: 'Booth station token',
  setupSave: 'Save and open the booth',
  setupMissing: 'Enter the booth’s station token first.',
  setupDone: 'This booth is set up as a voting station (token ending {suffix}).',
  setupReset: 'Remove the station token',
  credentialHeading: 'Start voting',
  credentialIntro:
    'Type or paste the text of the ballot slip a poll worker gave you, or scan its QR code.',
  credentialLabel: 'Ballot slip text',
  credentialHint: 'It starts with VIGIL-BALLOT-1.',
  credentialSubmit: 'Start my ballot',
  credentialBusy: 'Checking the ballot slip…',
  scanStart: 'Scan the QR code with the camera',
  scanStop: 'Stop the camera',
  scanVideo: 'Camera view for scanning the ballot slip’s QR code',
  scanWaiting: 'Hold the QR code in front of the camera.',
  scanFound: 'QR code read.',
  scanUnavailable:
    'The camera cannot be used here. Type or paste the slip’s text instead, or ask a poll worker.',
  contestOf: 'Contest {n} of {total}',
  voteForOne: 'Vote for 1.',
  voteForN: 'Vote for up to {n}.',
  chosenCount: 'You have chosen {chosen} of {n}.',
  overvote:
    'You can choose at most {n} in “{contest}”. To choose another, first remove one of your choices.',
  yesNo: 'Choose yes or no.',
  rankUpTo: 'Rank up to {n} candidates: 1 is your first choice.',
  rankFor: 'Rank for {name}',
  notRanked: 'Not ranked',
  rankOrdinal: '{n}',
  rankMoved: '{name} is now your choice number {n}.',
  rankRemoved: '{name} is no longer ranked.',
  writeInUnavailable:
    'This booth does not take write-in names. To write in a candidate, ask a poll worker for a paper ballot.',
  back: 'Back',
  next: 'Next',
  review: 'Review my ballot',
  reviewHeading: 'Review your ballot',
  reviewIntro:
    'Check each contest. Choose “Change” to go back to a contest. Nothing is recorded until you cast.',
  noSelection: 'No selection: you may leave a contest blank.',
  underVote: 'You chose {chosen} of {n}; you may choose more.',
  change: 'Change',
  changeContest: 'Change {contest}',
  encrypt: 'Encrypt my ballot',
  encrypting: 'Encrypting your ballot…',
  encryptedHeading: 'Your ballot is encrypted',
  encryptedIntro:
    'Write down or print this confirmation code. After you cast, you can look it up on the public bulletin board to see that your ballot is in the record.',
  confirmationCode: 'Confirmation code',
  printReceipt: 'Print the receipt',
  castOrChallenge: 'Cast this ballot, or challenge it to check that the encryption is honest.',
  cast: 'Cast my ballot',
  casting: 'Casting…',
  challenge: 'Challenge (check and discard)',
  challengeHint:
    'A challenged ballot is opened so you can see that it says what you chose. It is then discarded and never counted; you vote again.',
  castHeading: 'Your ballot was cast',
  castIntro:
    'Thank you for voting. Your encrypted ballot is recorded. To keep who voted apart from how, ballots enter the public ledger in shuffled batches of {batch} (or when the polls close): then look up your confirmation code on the bulletin board to check it is there.',
  bulletinLink: 'The public bulletin board',
  finish: 'Finish',
  sessionOver:
    'This ballot session is over and cannot continue. Ask a poll worker for help before you start again.',
  challengedHeading: 'Challenged ballot: opened and discarded',
  challengedIntro:
    'The booth revealed how it encrypted your ballot. Check that these are the choices you made. This ballot will not be counted.',
  nonceCheck: 'Encryption check: {result}',
  nonceMatches: 'the revealed encryption matches the encrypted ballot',
  nonceOther: '{value}',
  voteAgain: 'Vote again',
  receiptHeading: 'Vigil ballot receipt',
  receiptElection: 'Ballot style {style}',
  receiptNote: 'This receipt does not show your choices. Keep it to check your ballot later.',
  sessionEnds: 'This ballot session ends at {time}.',
  nothingChosen: 'Nothing chosen',
  yes: 'Yes',
  no: 'No',
} as const;

export type BoothTextKey = keyof typeof en;

const es: Record<BoothTextKey, string> = {
  title: 'Cabina de votación',
  settings: 'Pantalla e idioma',
  language: 'Idioma',
  largeText: 'Letra grande',
  highContrast: 'Alto contraste',
  setupHeading: 'Preparar esta cabina',
  setupIntro:
    'Un trabajador electoral prepara esta cabina una vez, con el código de estación que un administrador le dio al registrarla como cabina de votación. Los votantes no necesitan iniciar sesión.',
  setupToken: 'Código de estación de la cabina',
  setupSave: 'Guardar y abrir la cabina',
  setupMissing: 'Escriba primero el código de estación de la cabina.',
  setupDone:
    'Esta cabina está preparada como estación de votación (código que termina en {suffix}).',
  setupReset: 'Quitar el código de estación',
  credentialHeading: 'Comenzar a votar',
  credentialIntro:
    'Escriba o pegue el texto de la papeleta que le dio un trabajador electoral, o escanee su código QR.',
  credentialLabel: 'Texto de la papeleta',
  credentialHint: 'Empieza por VIGIL-BALLOT-1.',
  credentialSubmit: 'Comenzar mi boleta',
  credentialBusy: 'Comprobando la papeleta…',
  scanStart: 'Escanear el código QR con la cámara',
  scanStop: 'Apagar la cámara',
  scanVideo: 'Imagen de la cámara para escanear el código QR de la papeleta',
  scanWaiting: 'Ponga el código QR delante de la cámara.',
  scanFound: 'Código QR leído.',
  scanUnavailable:
    'No se puede usar la cámara aquí. Escriba o pegue el texto de la papeleta, o pida ayuda a un trabajador electoral.',
  contestOf: 'Contienda {n} de {total}',
  voteForOne: 'Vote por 1.',
  voteForN: 'Vote por hasta {n}.',
  chosenCount: 'Ha elegido {chosen} de {n}.',
  overvote:
    'Puede elegir como máximo {n} en «{contest}». Para elegir otra opción, quite primero una de las que eligió.',
  yesNo: 'Elija sí o no.',
  rankUpTo: 'Clasifique hasta {n} candidatos: 1 es su primera preferencia.',
  rankFor: 'Preferencia para {name}',
  notRanked: 'Sin clasificar',
  rankOrdinal: '{n}',
  rankMoved: '{name} es ahora su preferencia número {n}.',
  rankRemoved: '{name} ya no está clasificado.',
  writeInUnavailable:
    'Esta cabina no acepta nombres escritos. Para escribir el nombre de un candidato, pida una boleta de papel a un trabajador electoral.',
  back: 'Atrás',
  next: 'Siguiente',
  review: 'Revisar mi boleta',
  reviewHeading: 'Revise su boleta',
  reviewIntro:
    'Compruebe cada contienda. Elija «Cambiar» para volver a una contienda. No se registra nada hasta que emita su voto.',
  noSelection: 'Sin selección: puede dejar una contienda en blanco.',
  underVote: 'Eligió {chosen} de {n}; puede elegir más.',
  change: 'Cambiar',
  changeContest: 'Cambiar {contest}',
  encrypt: 'Cifrar mi boleta',
  encrypting: 'Cifrando su boleta…',
  encryptedHeading: 'Su boleta está cifrada',
  encryptedIntro:
    'Anote o imprima este código de confirmación. Después de votar, puede buscarlo en el tablón público para ver que su boleta está en el registro.',
  confirmationCode: 'Código de confirmación',
  printReceipt: 'Imprimir el comprobante',
  castOrChallenge: 'Emita esta boleta, o impúgnela para comprobar que el cifrado es honesto.',
  cast: 'Emitir mi voto',
  casting: 'Emitiendo…',
  challenge: 'Impugnar (comprobar y descartar)',
  challengeHint:
    'Una boleta impugnada se abre para que vea que dice lo que eligió. Después se descarta y nunca se cuenta; usted vuelve a votar.',
  castHeading: 'Su voto fue emitido',
  castIntro:
    'Gracias por votar. Su boleta cifrada quedó registrada. Para que nadie pueda unir quién votó con cómo votó, las boletas entran al registro público en lotes mezclados de {batch} (o al cerrar la votación): entonces busque su código de confirmación en el tablón público para comprobar que está allí.',
  bulletinLink: 'El tablón público',
  finish: 'Terminar',
  sessionOver:
    'Esta sesión de votación terminó y no puede continuar. Pida ayuda a un trabajador electoral antes de empezar de nuevo.',
  challengedHeading: 'Boleta impugnada: abierta y descartada',
  challengedIntro:
    'La cabina reveló cómo cifró su boleta. Compruebe que estas son las opciones que eligió. Esta boleta no se contará.',
  nonceCheck: 'Comprobación del cifrado: {result}',
  nonceMatches: 'el cifrado revelado coincide con la boleta cifrada',
  nonceOther: '{value}',
  voteAgain: 'Votar de nuevo',
  receiptHeading: 'Comprobante de boleta de Vigil',
  receiptElection: 'Estilo de boleta {style}',
  receiptNote:
    'Este comprobante no muestra sus opciones. Guárdelo para comprobar su boleta más tarde.',
  sessionEnds: 'Esta sesión de votación termina a las {time}.',
  nothingChosen: 'Nada elegido',
  yes: 'Sí',
  no: 'No',
};

const DICTIONARIES: Readonly<Record<BoothLanguage, Readonly<Record<BoothTextKey, string>>>> = {
  en,
  es,
};

/** The booth's translator for one language: `t('contestOf', { n: 2, total: 7 })`. */
export type BoothText = (
  key: BoothTextKey,
  values?: Readonly<Record<string, string | number>>,
) => string;

export function boothText(language: BoothLanguage): BoothText {
  const dictionary = DICTIONARIES[language];
  return (key, values = {}) =>
    dictionary[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
      name in values ? String(values[name]) : whole,
    );
}

/** Every key has a non-empty string in every language (the booth test checks this too). */
export function missingTranslations(): string[] {
  const missing: string[] = [];
  for (const [language, dictionary] of Object.entries(DICTIONARIES)) {
    for (const key of Object.keys(en) as BoothTextKey[]) {
      if (dictionary[key].trim() === '') missing.push(`${language}.${key}`);
    }
  }
  return missing;
}
