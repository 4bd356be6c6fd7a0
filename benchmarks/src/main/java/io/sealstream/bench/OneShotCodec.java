package io.sealstream.bench;

/** A contender that encrypts and decrypts whole byte arrays. */
interface OneShotCodec {

    byte[] encrypt(byte[] plaintext) throws Exception;

    byte[] decrypt(byte[] ciphertext) throws Exception;
}
