//! The wire codec, shared by the harness and the emulator.
//!
//! Owns how CopyImage crosses HTTP: percent-encoding and form pairs ([`percent`]), the
//! two signature algorithms ([`v1`], [`v3`]), building signed requests ([`sign`], [`build`]) and
//! writing and reading XML and JSON replies ([`reply`]). It decides nothing about
//! whether a request is acceptable: that is [`crate::oracle`].

pub mod build;
pub mod percent;
pub mod reply;
pub mod sign;
pub mod v1;
pub mod v3;

/// A random (version 4) UUID from the thread's CSPRNG (`rand::rng()`, seeded from the
/// operating system), without a system call per UUID as `Uuid::new_v4` makes.
pub fn random_uuid() -> uuid::Uuid {
    uuid::Builder::from_random_bytes(rand::random()).into_uuid()
}

#[cfg(test)]
mod tests {
    #[test]
    fn random_uuids_are_version_4_and_differ() {
        let (a, b) = (super::random_uuid(), super::random_uuid());
        assert_eq!(a.get_version(), Some(uuid::Version::Random));
        assert_eq!(a.get_variant(), uuid::Variant::RFC4122);
        assert_ne!(a, b);
    }
}
