// Photos from the phone's camera: downscaled on the phone before they are kept or sent (longest side at
// most 1600 px, JPEG), so a photo of 4000 x 3000 px (several MB) becomes a few hundred KB on a bad network.
// The EXIF orientation is applied while decoding, so a photo taken upright stays upright.

export const LONGEST_SIDE = 1600;
const QUALITY = 0.82;

/** {blob (image/jpeg), width, height} from an image file; throws if the file is not an image the browser reads. */
export async function downscale(file) {
  const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  const scale = Math.min(1, LONGEST_SIDE / Math.max(bitmap.width, bitmap.height));
  const width = Math.round(bitmap.width * scale);
  const height = Math.round(bitmap.height * scale);
  let blob;
  if (typeof OffscreenCanvas === "function") {
    const canvas = new OffscreenCanvas(width, height);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, width, height);
    blob = await canvas.convertToBlob({ type: "image/jpeg", quality: QUALITY });
  } else {
    const canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    canvas.getContext("2d").drawImage(bitmap, 0, 0, width, height);
    blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", QUALITY));
  }
  bitmap.close();
  return { blob, width, height };
}
