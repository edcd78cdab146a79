/** Vocabulary the generator draws from, so the data reads like a real account's. */

export const FIRST_NAMES = [
  'Ada', 'Alan', 'Amara', 'Bea', 'Carlos', 'Chen', 'Dana', 'Deepa', 'Elif', 'Emil', 'Fatima', 'Felix',
  'Grace', 'Hiro', 'Ines', 'Ivan', 'Jonas', 'Julia', 'Kofi', 'Lena', 'Liam', 'Maya', 'Mateo', 'Nadia',
  'Noah', 'Olga', 'Omar', 'Priya', 'Quinn', 'Rosa', 'Sami', 'Sofia', 'Tariq', 'Uma', 'Viktor', 'Wen',
  'Xavier', 'Yara', 'Yusuf', 'Zoe',
] as const;

export const LAST_NAMES = [
  'Abara', 'Becker', 'Castillo', 'Dubois', 'Eriksen', 'Fischer', 'Garcia', 'Haddad', 'Ito', 'Jensen',
  'Kowalski', 'Lindqvist', 'Moreau', 'Nakamura', 'Okafor', 'Petrov', 'Quintero', 'Rossi', 'Silva',
  'Tanaka', 'Ueda', 'Varga', 'Weber', 'Xu', 'Yilmaz', 'Zhang',
] as const;

/** The account's own domain for its users; guests come from customers' domains. */
export const USER_EMAIL_DOMAIN = 'northwind-data.example';
export const GUEST_EMAIL_DOMAINS = ['acme.example', 'globex.example', 'initech.example', 'umbrella.example', 'hooli.example'] as const;

export const ENVIRONMENT_NAMES = ['Production', 'Staging', 'Development', 'QA', 'Sandbox', 'Demo', 'Partner', 'Migration'] as const;

export const SPACE_NAMES = [
  'Customer onboarding', 'Q3 vendor import', 'Product catalog', 'Employee roster', 'Price list update',
  'Inventory sync', 'Lead import', 'Contracts', 'Orders backfill', 'Supplier data',
] as const;

export const SHEET_SLUGS = ['contacts', 'companies', 'orders', 'products', 'invoices', 'employees', 'locations'] as const;

export const FILE_NAMES = ['contacts.csv', 'export_2026.xlsx', 'vendors.csv', 'orders-q3.csv', 'catalog.json', 'roster.xlsx'] as const;

export const AGENT_SLUGS = ['default', 'validation', 'enrichment', 'dedupe', 'webhook-egress', 'autocast', 'automap'] as const;

export const IDPS = ['auth0', 'google', 'okta'] as const;
