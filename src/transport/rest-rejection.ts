/** A /save request refused with an HTTP status and a reason that is safe to show the plugin. */
export class SaveRejection extends Error {
  constructor(
    readonly status: number,
    reason: string,
  ) {
    super(reason);
    this.name = 'SaveRejection';
  }
}
