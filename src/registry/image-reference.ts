/**
 * Docker image references, following the grammar of distribution/reference:
 *
 *   reference  := name [ ":" tag ] [ "@" digest ]
 *   name       := [ domain "/" ] path-component ( "/" path-component )*
 *   domain     := host [ ":" port ]          host: DNS name, IPv4 or [IPv6]
 *   path-component := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
 *   tag        := [\w][\w.-]{0,127}
 *   digest     := "sha256:" 64 lowercase hex digits   (the only algorithm pmt accepts)
 *
 * Checked up front so a typo fails `pmt validate` instead of a pull minutes into a run.
 */

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOST = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])`;
const DOMAIN = `${HOST}(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const NAME = new RegExp(`^(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const NAME_MAX_LENGTH = 255;

const SHAPE = 'expected [host[:port]/]name[:tag][@sha256:digest]';

/** Why `reference` is not a valid image reference, or undefined when it is. */
export function imageReferenceProblem(reference: string): string | undefined {
  if (reference === '') return 'the image reference is empty';
  if (/\s/.test(reference)) return `${SHAPE}; it contains whitespace`;

  const at = reference.indexOf('@');
  const beforeDigest = at === -1 ? reference : reference.slice(0, at);
  if (at !== -1 && !DIGEST.test(reference.slice(at + 1))) return 'the digest must be "sha256:" followed by 64 lowercase hex digits';

  // A ':' after the last '/' starts the tag; one before it belongs to the registry's port.
  const colon = beforeDigest.lastIndexOf(':');
  const hasTag = colon > beforeDigest.lastIndexOf('/');
  const name = hasTag ? beforeDigest.slice(0, colon) : beforeDigest;
  if (hasTag && !TAG.test(beforeDigest.slice(colon + 1))) {
    return 'the tag must be 1–128 characters of letters, digits, "_", "." and "-", not starting with "." or "-"';
  }

  if (name.length > NAME_MAX_LENGTH) return `the repository name is longer than ${NAME_MAX_LENGTH} characters`;
  if (!NAME.test(name)) {
    if (NAME.test(name.toLowerCase())) return 'the repository name must be lowercase';
    return `${SHAPE}; path components are lowercase letters and digits separated by ".", "_", "__" or "-"`;
  }
  return undefined;
}
