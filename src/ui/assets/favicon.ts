/** The dashboard's icon, served as `/favicon.svg` and `/favicon.ico` (browsers ask for the latter unprompted). */
export const faviconSvg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<rect width="32" height="32" rx="7" fill="#2563eb"/>
<circle cx="10" cy="12" r="4" fill="#fff"/><circle cx="22" cy="12" r="4" fill="#fff"/>
<path d="M7 22c3 4 15 4 18 0" stroke="#fff" stroke-width="3" fill="none" stroke-linecap="round"/>
</svg>
`;
