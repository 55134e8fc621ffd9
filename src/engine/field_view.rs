//! What the cell rules read of the cytokine fields: a borrowed view of both grids and the
//! map from lattice sites to field cells. A leaf, so that the primary engine reads fields
//! without depending on how they are coupled and solved ([`super::cytokines`]).

/// What the cell rules read: the fields and how sites map to field cells.
#[derive(Debug, Clone, Copy)]
pub struct FieldView<'a> {
    /// IL6, ng/mL.
    pub il6: &'a [f32],
    /// CXCL7, ng/mL.
    pub cxcl7: &'a [f32],
    /// log2 of the coarsening factor.
    pub log_c: u32,
    /// Field cells per axis.
    pub n: [usize; 3],
}

impl FieldView<'_> {
    /// (IL6, CXCL7) in ng/mL at window coordinates `c`.
    #[inline(always)]
    pub fn at(&self, c: [usize; 3]) -> (f64, f64) {
        let l = self.log_c;
        let i = (c[0] >> l) + self.n[0] * ((c[1] >> l) + self.n[1] * (c[2] >> l));
        (self.il6[i] as f64, self.cxcl7[i] as f64)
    }
}
