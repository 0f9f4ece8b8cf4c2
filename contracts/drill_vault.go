// Code generated via abigen V2 - DO NOT EDIT.
// This file is a generated binding and any manual changes will be lost.

package contracts

import (
	"bytes"
	"errors"
	"math/big"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// Reference imports to suppress errors if they are not otherwise used.
var (
	_ = bytes.Equal
	_ = errors.New
	_ = big.NewInt
	_ = common.Big1
	_ = types.BloomLookup
	_ = abi.ConvertType
)

// DrillVaultMetaData contains all meta data concerning the DrillVault contract.
var DrillVaultMetaData = bind.MetaData{
	ABI: "[{\"inputs\":[{\"internalType\":\"address\",\"name\":\"admin\",\"type\":\"address\"},{\"internalType\":\"address\",\"name\":\"guardian\",\"type\":\"address\"},{\"internalType\":\"address\",\"name\":\"operator\",\"type\":\"address\"}],\"stateMutability\":\"nonpayable\",\"type\":\"constructor\"},{\"inputs\":[],\"name\":\"AccessControlBadConfirmation\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"},{\"internalType\":\"bytes32\",\"name\":\"neededRole\",\"type\":\"bytes32\"}],\"name\":\"AccessControlUnauthorizedAccount\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"EnforcedPause\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"ExpectedPause\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint256\",\"name\":\"balance\",\"type\":\"uint256\"},{\"internalType\":\"uint256\",\"name\":\"amount\",\"type\":\"uint256\"}],\"name\":\"InsufficientFunds\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"NothingToWithdraw\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"TransferFailed\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"ZeroAddress\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"ZeroAmount\",\"type\":\"error\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"amount\",\"type\":\"uint256\"}],\"name\":\"Deposited\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":false,\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"}],\"name\":\"Paused\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"role\",\"type\":\"bytes32\"},{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"previousAdminRole\",\"type\":\"bytes32\"},{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"newAdminRole\",\"type\":\"bytes32\"}],\"name\":\"RoleAdminChanged\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"role\",\"type\":\"bytes32\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"sender\",\"type\":\"address\"}],\"name\":\"RoleGranted\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"role\",\"type\":\"bytes32\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"sender\",\"type\":\"address\"}],\"name\":\"RoleRevoked\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"operator\",\"type\":\"address\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"to\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"amount\",\"type\":\"uint256\"}],\"name\":\"Swept\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":false,\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"}],\"name\":\"Unpaused\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"amount\",\"type\":\"uint256\"}],\"name\":\"Withdrawn\",\"type\":\"event\"},{\"inputs\":[],\"name\":\"DEFAULT_ADMIN_ROLE\",\"outputs\":[{\"internalType\":\"bytes32\",\"name\":\"\",\"type\":\"bytes32\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"GUARDIAN_ROLE\",\"outputs\":[{\"internalType\":\"bytes32\",\"name\":\"\",\"type\":\"bytes32\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"OPERATOR_ROLE\",\"outputs\":[{\"internalType\":\"bytes32\",\"name\":\"\",\"type\":\"bytes32\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"PAUSER_ROLE\",\"outputs\":[{\"internalType\":\"bytes32\",\"name\":\"\",\"type\":\"bytes32\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"}],\"name\":\"balanceOf\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"\",\"type\":\"uint256\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"deposit\",\"outputs\":[],\"stateMutability\":\"payable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"role\",\"type\":\"bytes32\"}],\"name\":\"getRoleAdmin\",\"outputs\":[{\"internalType\":\"bytes32\",\"name\":\"\",\"type\":\"bytes32\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"role\",\"type\":\"bytes32\"},{\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"}],\"name\":\"grantRole\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"role\",\"type\":\"bytes32\"},{\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"}],\"name\":\"hasRole\",\"outputs\":[{\"internalType\":\"bool\",\"name\":\"\",\"type\":\"bool\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"pause\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"paused\",\"outputs\":[{\"internalType\":\"bool\",\"name\":\"\",\"type\":\"bool\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"role\",\"type\":\"bytes32\"},{\"internalType\":\"address\",\"name\":\"callerConfirmation\",\"type\":\"address\"}],\"name\":\"renounceRole\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"role\",\"type\":\"bytes32\"},{\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"}],\"name\":\"revokeRole\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes4\",\"name\":\"interfaceId\",\"type\":\"bytes4\"}],\"name\":\"supportsInterface\",\"outputs\":[{\"internalType\":\"bool\",\"name\":\"\",\"type\":\"bool\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"to\",\"type\":\"address\"},{\"internalType\":\"uint256\",\"name\":\"amount\",\"type\":\"uint256\"}],\"name\":\"sweep\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"unpause\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"withdrawAll\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"}]",
	ID:  "DrillVault",
	Bin: "0x608060405234801561000f575f5ffd5b50604051610cbe380380610cbe83398101604081905261002e916101f5565b6001600160a01b0383166100555760405163d92e233d60e01b815260040160405180910390fd5b61005f5f846100e7565b5061008a7f65d7a28e3265b37a6474929f336521b332c1681b933f6cb9f3376673440d862a836100e7565b506100a25f516020610c9e5f395f51905f52836100e7565b506100c75f516020610c7e5f395f51905f525f516020610c9e5f395f51905f52610190565b6100de5f516020610c7e5f395f51905f52826100e7565b50505050610235565b5f828152602081815260408083206001600160a01b038516845290915281205460ff16610187575f838152602081815260408083206001600160a01b03861684529091529020805460ff1916600117905561013f3390565b6001600160a01b0316826001600160a01b0316847f2f8788117e7eff1d82e926ec794901d17c78024a50270940304540a733656f0d60405160405180910390a450600161018a565b505f5b92915050565b5f82815260208190526040808220600101805490849055905190918391839186917fbd79b86ffe0ab8e8776151514217cd7cacd52c909f66475c3af44e129f0b00ff9190a4505050565b80516001600160a01b03811681146101f0575f5ffd5b919050565b5f5f5f60608486031215610207575f5ffd5b610210846101da565b925061021e602085016101da565b915061022c604085016101da565b90509250925092565b610a3c806102425f395ff3fe6080604052600436106100fa575f3560e01c806370a0823111610092578063a217fddf11610062578063a217fddf1461029d578063d0e30db0146102b0578063d547741f146102b8578063e63ab1e9146102d7578063f5b541a61461030a575f5ffd5b806370a082311461022b5780638456cb5914610256578063853828b61461026a57806391d148541461027e575f5ffd5b806336568abe116100cd57806336568abe146101c25780633f4ba83a146101e15780635c975abb146101f55780636ea056a91461020c575f5ffd5b806301ffc9a7146100fe578063248a9ca31461013257806324ea54f41461016e5780632f2ff15d146101a1575b5f5ffd5b348015610109575f5ffd5b5061011d610118366004610945565b61033d565b60405190151581526020015b60405180910390f35b34801561013d575f5ffd5b5061016061014c366004610973565b5f9081526020819052604090206001015490565b604051908152602001610129565b348015610179575f5ffd5b506101607f55435dd261a4b9b3364963f7738a7a662ad9c84396d64be3365284bb7f0a504181565b3480156101ac575f5ffd5b506101c06101bb3660046109a5565b610373565b005b3480156101cd575f5ffd5b506101c06101dc3660046109a5565b61039d565b3480156101ec575f5ffd5b506101c06103d5565b348015610200575f5ffd5b5060015460ff1661011d565b348015610217575f5ffd5b506101c06102263660046109cf565b6103ea565b348015610236575f5ffd5b506101606102453660046109f7565b60026020525f908152604090205481565b348015610261575f5ffd5b506101c061054a565b348015610275575f5ffd5b506101c061057c565b348015610289575f5ffd5b5061011d6102983660046109a5565b610662565b3480156102a8575f5ffd5b506101605f81565b6101c061068a565b3480156102c3575f5ffd5b506101c06102d23660046109a5565b61070c565b3480156102e2575f5ffd5b506101607f65d7a28e3265b37a6474929f336521b332c1681b933f6cb9f3376673440d862a81565b348015610315575f5ffd5b506101607f97667070c54ef182b0f5858b034beac1b6f3089aa2d3188bb1e8929f4fa9b92981565b5f6001600160e01b03198216637965db0b60e01b148061036d57506301ffc9a760e01b6001600160e01b03198316145b92915050565b5f8281526020819052604090206001015461038d81610730565b610397838361073a565b50505050565b6001600160a01b03811633146103c65760405163334bd91960e11b815260040160405180910390fd5b6103d082826107c9565b505050565b5f6103df81610730565b6103e7610832565b50565b7f97667070c54ef182b0f5858b034beac1b6f3089aa2d3188bb1e8929f4fa9b92961041481610730565b61041c610884565b6001600160a01b0383166104435760405163d92e233d60e01b815260040160405180910390fd5b815f0361046357604051631f2a200560e01b815260040160405180910390fd5b47808311156104935760405162fae2d560e21b815260048101829052602481018490526044015b60405180910390fd5b6040518381526001600160a01b0385169033907f7b09c29f9106defeccc9ac3b823f3aad0b470d120e5df7aed033b5c43a4bf7189060200160405180910390a35f846001600160a01b0316846040515f6040518083038185875af1925050503d805f811461051c576040519150601f19603f3d011682016040523d82523d5f602084013e610521565b606091505b5050905080610543576040516312171d8360e31b815260040160405180910390fd5b5050505050565b7f65d7a28e3265b37a6474929f336521b332c1681b933f6cb9f3376673440d862a61057481610730565b6103e76108aa565b610584610884565b335f90815260026020526040812054908190036105b457604051630686827b60e51b815260040160405180910390fd5b60405181815233907f7084f5476618d8e60b11ef0d7d3f06914655adb8793e28ff7f018d4c76d505d59060200160405180910390a26040515f90339083908381818185875af1925050503d805f8114610628576040519150601f19603f3d011682016040523d82523d5f602084013e61062d565b606091505b505090508061064f576040516312171d8360e31b815260040160405180910390fd5b5050335f90815260026020526040812055565b5f918252602082815260408084206001600160a01b0393909316845291905290205460ff1690565b610692610884565b345f036106b257604051631f2a200560e01b815260040160405180910390fd5b335f90815260026020526040812080543492906106d0908490610a10565b909155505060405134815233907f2da466a7b24304f47e87fa2e1e5a81b9831ce54fec19055ce277ca2f39ba42c49060200160405180910390a2565b5f8281526020819052604090206001015461072681610730565b61039783836107c9565b6103e781336108e5565b5f6107458383610662565b6107c2575f838152602081815260408083206001600160a01b03861684529091529020805460ff1916600117905561077a3390565b6001600160a01b0316826001600160a01b0316847f2f8788117e7eff1d82e926ec794901d17c78024a50270940304540a733656f0d60405160405180910390a450600161036d565b505f61036d565b5f6107d48383610662565b156107c2575f838152602081815260408083206001600160a01b0386168085529252808320805460ff1916905551339286917ff6391f5c32d9c69d2a47ea670b442974b53935d1edc7fd64eb21e047a839171b9190a450600161036d565b61083a610922565b6001805460ff191690557f5db9ee0a495bf2e6ff9c91a7834c1ba4fdd244a5e8aa4e537bd38aeae4b073aa335b6040516001600160a01b03909116815260200160405180910390a1565b60015460ff16156108a85760405163d93c066560e01b815260040160405180910390fd5b565b6108b2610884565b6001805460ff1916811790557f62e78cea01bee320cd4e420270b5ea74000d11b0c9f74754ebdbfc544b05a25833610867565b6108ef8282610662565b61091e5760405163e2517d3f60e01b81526001600160a01b03821660048201526024810183905260440161048a565b5050565b60015460ff166108a857604051638dfc202b60e01b815260040160405180910390fd5b5f60208284031215610955575f5ffd5b81356001600160e01b03198116811461096c575f5ffd5b9392505050565b5f60208284031215610983575f5ffd5b5035919050565b80356001600160a01b03811681146109a0575f5ffd5b919050565b5f5f604083850312156109b6575f5ffd5b823591506109c66020840161098a565b90509250929050565b5f5f604083850312156109e0575f5ffd5b6109e98361098a565b946020939093013593505050565b5f60208284031215610a07575f5ffd5b61096c8261098a565b8082018082111561036d57634e487b7160e01b5f52601160045260245ffdfea164736f6c6343000825000a97667070c54ef182b0f5858b034beac1b6f3089aa2d3188bb1e8929f4fa9b92955435dd261a4b9b3364963f7738a7a662ad9c84396d64be3365284bb7f0a5041",
}

// DrillVault is an auto generated Go binding around an Ethereum contract.
type DrillVault struct {
	abi abi.ABI
}

// GetABI returns the ABI associated with this contract binding.
func (c *DrillVault) GetABI() abi.ABI {
	return c.abi
}

// NewDrillVault creates a new instance of DrillVault.
func NewDrillVault() *DrillVault {
	parsed, err := DrillVaultMetaData.ParseABI()
	if err != nil {
		panic(errors.New("invalid ABI: " + err.Error()))
	}
	return &DrillVault{abi: *parsed}
}

// Instance creates a wrapper for a deployed contract instance at the given address.
// Use this to create the instance object passed to abigen v2 library functions Call, Transact, etc.
func (c *DrillVault) Instance(backend bind.ContractBackend, addr common.Address) *bind.BoundContract {
	return bind.NewBoundContract(addr, c.abi, backend, backend, backend)
}

// PackConstructor is the Go binding used to pack the parameters required for
// contract deployment.
//
// Solidity: constructor(address admin, address guardian, address operator) returns()
func (drillVault *DrillVault) PackConstructor(admin common.Address, guardian common.Address, operator common.Address) []byte {
	enc, err := drillVault.abi.Pack("", admin, guardian, operator)
	if err != nil {
		panic(err)
	}
	return enc
}

// PackDEFAULTADMINROLE is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xa217fddf.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function DEFAULT_ADMIN_ROLE() view returns(bytes32)
func (drillVault *DrillVault) PackDEFAULTADMINROLE() []byte {
	enc, err := drillVault.abi.Pack("DEFAULT_ADMIN_ROLE")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackDEFAULTADMINROLE is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xa217fddf.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function DEFAULT_ADMIN_ROLE() view returns(bytes32)
func (drillVault *DrillVault) TryPackDEFAULTADMINROLE() ([]byte, error) {
	return drillVault.abi.Pack("DEFAULT_ADMIN_ROLE")
}

// UnpackDEFAULTADMINROLE is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xa217fddf.
//
// Solidity: function DEFAULT_ADMIN_ROLE() view returns(bytes32)
func (drillVault *DrillVault) UnpackDEFAULTADMINROLE(data []byte) ([32]byte, error) {
	out, err := drillVault.abi.Unpack("DEFAULT_ADMIN_ROLE", data)
	if err != nil {
		return *new([32]byte), err
	}
	out0 := *abi.ConvertType(out[0], new([32]byte)).(*[32]byte)
	return out0, nil
}

// PackGUARDIANROLE is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x24ea54f4.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function GUARDIAN_ROLE() view returns(bytes32)
func (drillVault *DrillVault) PackGUARDIANROLE() []byte {
	enc, err := drillVault.abi.Pack("GUARDIAN_ROLE")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackGUARDIANROLE is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x24ea54f4.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function GUARDIAN_ROLE() view returns(bytes32)
func (drillVault *DrillVault) TryPackGUARDIANROLE() ([]byte, error) {
	return drillVault.abi.Pack("GUARDIAN_ROLE")
}

// UnpackGUARDIANROLE is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x24ea54f4.
//
// Solidity: function GUARDIAN_ROLE() view returns(bytes32)
func (drillVault *DrillVault) UnpackGUARDIANROLE(data []byte) ([32]byte, error) {
	out, err := drillVault.abi.Unpack("GUARDIAN_ROLE", data)
	if err != nil {
		return *new([32]byte), err
	}
	out0 := *abi.ConvertType(out[0], new([32]byte)).(*[32]byte)
	return out0, nil
}

// PackOPERATORROLE is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xf5b541a6.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function OPERATOR_ROLE() view returns(bytes32)
func (drillVault *DrillVault) PackOPERATORROLE() []byte {
	enc, err := drillVault.abi.Pack("OPERATOR_ROLE")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackOPERATORROLE is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xf5b541a6.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function OPERATOR_ROLE() view returns(bytes32)
func (drillVault *DrillVault) TryPackOPERATORROLE() ([]byte, error) {
	return drillVault.abi.Pack("OPERATOR_ROLE")
}

// UnpackOPERATORROLE is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xf5b541a6.
//
// Solidity: function OPERATOR_ROLE() view returns(bytes32)
func (drillVault *DrillVault) UnpackOPERATORROLE(data []byte) ([32]byte, error) {
	out, err := drillVault.abi.Unpack("OPERATOR_ROLE", data)
	if err != nil {
		return *new([32]byte), err
	}
	out0 := *abi.ConvertType(out[0], new([32]byte)).(*[32]byte)
	return out0, nil
}

// PackPAUSERROLE is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xe63ab1e9.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function PAUSER_ROLE() view returns(bytes32)
func (drillVault *DrillVault) PackPAUSERROLE() []byte {
	enc, err := drillVault.abi.Pack("PAUSER_ROLE")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackPAUSERROLE is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xe63ab1e9.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function PAUSER_ROLE() view returns(bytes32)
func (drillVault *DrillVault) TryPackPAUSERROLE() ([]byte, error) {
	return drillVault.abi.Pack("PAUSER_ROLE")
}

// UnpackPAUSERROLE is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xe63ab1e9.
//
// Solidity: function PAUSER_ROLE() view returns(bytes32)
func (drillVault *DrillVault) UnpackPAUSERROLE(data []byte) ([32]byte, error) {
	out, err := drillVault.abi.Unpack("PAUSER_ROLE", data)
	if err != nil {
		return *new([32]byte), err
	}
	out0 := *abi.ConvertType(out[0], new([32]byte)).(*[32]byte)
	return out0, nil
}

// PackBalanceOf is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x70a08231.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function balanceOf(address account) view returns(uint256)
func (drillVault *DrillVault) PackBalanceOf(account common.Address) []byte {
	enc, err := drillVault.abi.Pack("balanceOf", account)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackBalanceOf is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x70a08231.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function balanceOf(address account) view returns(uint256)
func (drillVault *DrillVault) TryPackBalanceOf(account common.Address) ([]byte, error) {
	return drillVault.abi.Pack("balanceOf", account)
}

// UnpackBalanceOf is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x70a08231.
//
// Solidity: function balanceOf(address account) view returns(uint256)
func (drillVault *DrillVault) UnpackBalanceOf(data []byte) (*big.Int, error) {
	out, err := drillVault.abi.Unpack("balanceOf", data)
	if err != nil {
		return new(big.Int), err
	}
	out0 := abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	return out0, nil
}

// PackDeposit is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd0e30db0.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function deposit() payable returns()
func (drillVault *DrillVault) PackDeposit() []byte {
	enc, err := drillVault.abi.Pack("deposit")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackDeposit is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd0e30db0.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function deposit() payable returns()
func (drillVault *DrillVault) TryPackDeposit() ([]byte, error) {
	return drillVault.abi.Pack("deposit")
}

// PackGetRoleAdmin is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x248a9ca3.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function getRoleAdmin(bytes32 role) view returns(bytes32)
func (drillVault *DrillVault) PackGetRoleAdmin(role [32]byte) []byte {
	enc, err := drillVault.abi.Pack("getRoleAdmin", role)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackGetRoleAdmin is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x248a9ca3.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function getRoleAdmin(bytes32 role) view returns(bytes32)
func (drillVault *DrillVault) TryPackGetRoleAdmin(role [32]byte) ([]byte, error) {
	return drillVault.abi.Pack("getRoleAdmin", role)
}

// UnpackGetRoleAdmin is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x248a9ca3.
//
// Solidity: function getRoleAdmin(bytes32 role) view returns(bytes32)
func (drillVault *DrillVault) UnpackGetRoleAdmin(data []byte) ([32]byte, error) {
	out, err := drillVault.abi.Unpack("getRoleAdmin", data)
	if err != nil {
		return *new([32]byte), err
	}
	out0 := *abi.ConvertType(out[0], new([32]byte)).(*[32]byte)
	return out0, nil
}

// PackGrantRole is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x2f2ff15d.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function grantRole(bytes32 role, address account) returns()
func (drillVault *DrillVault) PackGrantRole(role [32]byte, account common.Address) []byte {
	enc, err := drillVault.abi.Pack("grantRole", role, account)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackGrantRole is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x2f2ff15d.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function grantRole(bytes32 role, address account) returns()
func (drillVault *DrillVault) TryPackGrantRole(role [32]byte, account common.Address) ([]byte, error) {
	return drillVault.abi.Pack("grantRole", role, account)
}

// PackHasRole is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x91d14854.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function hasRole(bytes32 role, address account) view returns(bool)
func (drillVault *DrillVault) PackHasRole(role [32]byte, account common.Address) []byte {
	enc, err := drillVault.abi.Pack("hasRole", role, account)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackHasRole is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x91d14854.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function hasRole(bytes32 role, address account) view returns(bool)
func (drillVault *DrillVault) TryPackHasRole(role [32]byte, account common.Address) ([]byte, error) {
	return drillVault.abi.Pack("hasRole", role, account)
}

// UnpackHasRole is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x91d14854.
//
// Solidity: function hasRole(bytes32 role, address account) view returns(bool)
func (drillVault *DrillVault) UnpackHasRole(data []byte) (bool, error) {
	out, err := drillVault.abi.Unpack("hasRole", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
}

// PackPause is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x8456cb59.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function pause() returns()
func (drillVault *DrillVault) PackPause() []byte {
	enc, err := drillVault.abi.Pack("pause")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackPause is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x8456cb59.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function pause() returns()
func (drillVault *DrillVault) TryPackPause() ([]byte, error) {
	return drillVault.abi.Pack("pause")
}

// PackPaused is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x5c975abb.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function paused() view returns(bool)
func (drillVault *DrillVault) PackPaused() []byte {
	enc, err := drillVault.abi.Pack("paused")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackPaused is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x5c975abb.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function paused() view returns(bool)
func (drillVault *DrillVault) TryPackPaused() ([]byte, error) {
	return drillVault.abi.Pack("paused")
}

// UnpackPaused is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x5c975abb.
//
// Solidity: function paused() view returns(bool)
func (drillVault *DrillVault) UnpackPaused(data []byte) (bool, error) {
	out, err := drillVault.abi.Unpack("paused", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
}

// PackRenounceRole is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x36568abe.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function renounceRole(bytes32 role, address callerConfirmation) returns()
func (drillVault *DrillVault) PackRenounceRole(role [32]byte, callerConfirmation common.Address) []byte {
	enc, err := drillVault.abi.Pack("renounceRole", role, callerConfirmation)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackRenounceRole is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x36568abe.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function renounceRole(bytes32 role, address callerConfirmation) returns()
func (drillVault *DrillVault) TryPackRenounceRole(role [32]byte, callerConfirmation common.Address) ([]byte, error) {
	return drillVault.abi.Pack("renounceRole", role, callerConfirmation)
}

// PackRevokeRole is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd547741f.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function revokeRole(bytes32 role, address account) returns()
func (drillVault *DrillVault) PackRevokeRole(role [32]byte, account common.Address) []byte {
	enc, err := drillVault.abi.Pack("revokeRole", role, account)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackRevokeRole is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd547741f.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function revokeRole(bytes32 role, address account) returns()
func (drillVault *DrillVault) TryPackRevokeRole(role [32]byte, account common.Address) ([]byte, error) {
	return drillVault.abi.Pack("revokeRole", role, account)
}

// PackSupportsInterface is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x01ffc9a7.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function supportsInterface(bytes4 interfaceId) view returns(bool)
func (drillVault *DrillVault) PackSupportsInterface(interfaceId [4]byte) []byte {
	enc, err := drillVault.abi.Pack("supportsInterface", interfaceId)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackSupportsInterface is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x01ffc9a7.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function supportsInterface(bytes4 interfaceId) view returns(bool)
func (drillVault *DrillVault) TryPackSupportsInterface(interfaceId [4]byte) ([]byte, error) {
	return drillVault.abi.Pack("supportsInterface", interfaceId)
}

// UnpackSupportsInterface is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x01ffc9a7.
//
// Solidity: function supportsInterface(bytes4 interfaceId) view returns(bool)
func (drillVault *DrillVault) UnpackSupportsInterface(data []byte) (bool, error) {
	out, err := drillVault.abi.Unpack("supportsInterface", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
}

// PackSweep is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x6ea056a9.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function sweep(address to, uint256 amount) returns()
func (drillVault *DrillVault) PackSweep(to common.Address, amount *big.Int) []byte {
	enc, err := drillVault.abi.Pack("sweep", to, amount)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackSweep is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x6ea056a9.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function sweep(address to, uint256 amount) returns()
func (drillVault *DrillVault) TryPackSweep(to common.Address, amount *big.Int) ([]byte, error) {
	return drillVault.abi.Pack("sweep", to, amount)
}

// PackUnpause is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x3f4ba83a.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function unpause() returns()
func (drillVault *DrillVault) PackUnpause() []byte {
	enc, err := drillVault.abi.Pack("unpause")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackUnpause is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x3f4ba83a.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function unpause() returns()
func (drillVault *DrillVault) TryPackUnpause() ([]byte, error) {
	return drillVault.abi.Pack("unpause")
}

// PackWithdrawAll is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x853828b6.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function withdrawAll() returns()
func (drillVault *DrillVault) PackWithdrawAll() []byte {
	enc, err := drillVault.abi.Pack("withdrawAll")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackWithdrawAll is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x853828b6.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function withdrawAll() returns()
func (drillVault *DrillVault) TryPackWithdrawAll() ([]byte, error) {
	return drillVault.abi.Pack("withdrawAll")
}

// DrillVaultDeposited represents a Deposited event raised by the DrillVault contract.
type DrillVaultDeposited struct {
	Account common.Address
	Amount  *big.Int
	Raw     *types.Log // Blockchain specific contextual infos
}

const DrillVaultDepositedEventName = "Deposited"

// ContractEventName returns the user-defined event name.
func (DrillVaultDeposited) ContractEventName() string {
	return DrillVaultDepositedEventName
}

// UnpackDepositedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Deposited(address indexed account, uint256 amount)
func (drillVault *DrillVault) UnpackDepositedEvent(log *types.Log) (*DrillVaultDeposited, error) {
	event := "Deposited"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != drillVault.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(DrillVaultDeposited)
	if len(log.Data) > 0 {
		if err := drillVault.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range drillVault.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// DrillVaultPaused represents a Paused event raised by the DrillVault contract.
type DrillVaultPaused struct {
	Account common.Address
	Raw     *types.Log // Blockchain specific contextual infos
}

const DrillVaultPausedEventName = "Paused"

// ContractEventName returns the user-defined event name.
func (DrillVaultPaused) ContractEventName() string {
	return DrillVaultPausedEventName
}

// UnpackPausedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Paused(address account)
func (drillVault *DrillVault) UnpackPausedEvent(log *types.Log) (*DrillVaultPaused, error) {
	event := "Paused"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != drillVault.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(DrillVaultPaused)
	if len(log.Data) > 0 {
		if err := drillVault.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range drillVault.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// DrillVaultRoleAdminChanged represents a RoleAdminChanged event raised by the DrillVault contract.
type DrillVaultRoleAdminChanged struct {
	Role              [32]byte
	PreviousAdminRole [32]byte
	NewAdminRole      [32]byte
	Raw               *types.Log // Blockchain specific contextual infos
}

const DrillVaultRoleAdminChangedEventName = "RoleAdminChanged"

// ContractEventName returns the user-defined event name.
func (DrillVaultRoleAdminChanged) ContractEventName() string {
	return DrillVaultRoleAdminChangedEventName
}

// UnpackRoleAdminChangedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event RoleAdminChanged(bytes32 indexed role, bytes32 indexed previousAdminRole, bytes32 indexed newAdminRole)
func (drillVault *DrillVault) UnpackRoleAdminChangedEvent(log *types.Log) (*DrillVaultRoleAdminChanged, error) {
	event := "RoleAdminChanged"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != drillVault.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(DrillVaultRoleAdminChanged)
	if len(log.Data) > 0 {
		if err := drillVault.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range drillVault.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// DrillVaultRoleGranted represents a RoleGranted event raised by the DrillVault contract.
type DrillVaultRoleGranted struct {
	Role    [32]byte
	Account common.Address
	Sender  common.Address
	Raw     *types.Log // Blockchain specific contextual infos
}

const DrillVaultRoleGrantedEventName = "RoleGranted"

// ContractEventName returns the user-defined event name.
func (DrillVaultRoleGranted) ContractEventName() string {
	return DrillVaultRoleGrantedEventName
}

// UnpackRoleGrantedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender)
func (drillVault *DrillVault) UnpackRoleGrantedEvent(log *types.Log) (*DrillVaultRoleGranted, error) {
	event := "RoleGranted"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != drillVault.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(DrillVaultRoleGranted)
	if len(log.Data) > 0 {
		if err := drillVault.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range drillVault.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// DrillVaultRoleRevoked represents a RoleRevoked event raised by the DrillVault contract.
type DrillVaultRoleRevoked struct {
	Role    [32]byte
	Account common.Address
	Sender  common.Address
	Raw     *types.Log // Blockchain specific contextual infos
}

const DrillVaultRoleRevokedEventName = "RoleRevoked"

// ContractEventName returns the user-defined event name.
func (DrillVaultRoleRevoked) ContractEventName() string {
	return DrillVaultRoleRevokedEventName
}

// UnpackRoleRevokedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event RoleRevoked(bytes32 indexed role, address indexed account, address indexed sender)
func (drillVault *DrillVault) UnpackRoleRevokedEvent(log *types.Log) (*DrillVaultRoleRevoked, error) {
	event := "RoleRevoked"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != drillVault.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(DrillVaultRoleRevoked)
	if len(log.Data) > 0 {
		if err := drillVault.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range drillVault.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// DrillVaultSwept represents a Swept event raised by the DrillVault contract.
type DrillVaultSwept struct {
	Operator common.Address
	To       common.Address
	Amount   *big.Int
	Raw      *types.Log // Blockchain specific contextual infos
}

const DrillVaultSweptEventName = "Swept"

// ContractEventName returns the user-defined event name.
func (DrillVaultSwept) ContractEventName() string {
	return DrillVaultSweptEventName
}

// UnpackSweptEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Swept(address indexed operator, address indexed to, uint256 amount)
func (drillVault *DrillVault) UnpackSweptEvent(log *types.Log) (*DrillVaultSwept, error) {
	event := "Swept"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != drillVault.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(DrillVaultSwept)
	if len(log.Data) > 0 {
		if err := drillVault.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range drillVault.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// DrillVaultUnpaused represents a Unpaused event raised by the DrillVault contract.
type DrillVaultUnpaused struct {
	Account common.Address
	Raw     *types.Log // Blockchain specific contextual infos
}

const DrillVaultUnpausedEventName = "Unpaused"

// ContractEventName returns the user-defined event name.
func (DrillVaultUnpaused) ContractEventName() string {
	return DrillVaultUnpausedEventName
}

// UnpackUnpausedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Unpaused(address account)
func (drillVault *DrillVault) UnpackUnpausedEvent(log *types.Log) (*DrillVaultUnpaused, error) {
	event := "Unpaused"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != drillVault.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(DrillVaultUnpaused)
	if len(log.Data) > 0 {
		if err := drillVault.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range drillVault.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// DrillVaultWithdrawn represents a Withdrawn event raised by the DrillVault contract.
type DrillVaultWithdrawn struct {
	Account common.Address
	Amount  *big.Int
	Raw     *types.Log // Blockchain specific contextual infos
}

const DrillVaultWithdrawnEventName = "Withdrawn"

// ContractEventName returns the user-defined event name.
func (DrillVaultWithdrawn) ContractEventName() string {
	return DrillVaultWithdrawnEventName
}

// UnpackWithdrawnEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Withdrawn(address indexed account, uint256 amount)
func (drillVault *DrillVault) UnpackWithdrawnEvent(log *types.Log) (*DrillVaultWithdrawn, error) {
	event := "Withdrawn"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != drillVault.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(DrillVaultWithdrawn)
	if len(log.Data) > 0 {
		if err := drillVault.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range drillVault.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// UnpackError attempts to decode the provided error data using user-defined
// error definitions.
func (drillVault *DrillVault) UnpackError(raw []byte) (any, error) {
	if bytes.Equal(raw[:4], drillVault.abi.Errors["AccessControlBadConfirmation"].ID.Bytes()[:4]) {
		return drillVault.UnpackAccessControlBadConfirmationError(raw[4:])
	}
	if bytes.Equal(raw[:4], drillVault.abi.Errors["AccessControlUnauthorizedAccount"].ID.Bytes()[:4]) {
		return drillVault.UnpackAccessControlUnauthorizedAccountError(raw[4:])
	}
	if bytes.Equal(raw[:4], drillVault.abi.Errors["EnforcedPause"].ID.Bytes()[:4]) {
		return drillVault.UnpackEnforcedPauseError(raw[4:])
	}
	if bytes.Equal(raw[:4], drillVault.abi.Errors["ExpectedPause"].ID.Bytes()[:4]) {
		return drillVault.UnpackExpectedPauseError(raw[4:])
	}
	if bytes.Equal(raw[:4], drillVault.abi.Errors["InsufficientFunds"].ID.Bytes()[:4]) {
		return drillVault.UnpackInsufficientFundsError(raw[4:])
	}
	if bytes.Equal(raw[:4], drillVault.abi.Errors["NothingToWithdraw"].ID.Bytes()[:4]) {
		return drillVault.UnpackNothingToWithdrawError(raw[4:])
	}
	if bytes.Equal(raw[:4], drillVault.abi.Errors["TransferFailed"].ID.Bytes()[:4]) {
		return drillVault.UnpackTransferFailedError(raw[4:])
	}
	if bytes.Equal(raw[:4], drillVault.abi.Errors["ZeroAddress"].ID.Bytes()[:4]) {
		return drillVault.UnpackZeroAddressError(raw[4:])
	}
	if bytes.Equal(raw[:4], drillVault.abi.Errors["ZeroAmount"].ID.Bytes()[:4]) {
		return drillVault.UnpackZeroAmountError(raw[4:])
	}
	return nil, errors.New("Unknown error")
}

// DrillVaultAccessControlBadConfirmation represents a AccessControlBadConfirmation error raised by the DrillVault contract.
type DrillVaultAccessControlBadConfirmation struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error AccessControlBadConfirmation()
func DrillVaultAccessControlBadConfirmationErrorID() common.Hash {
	return common.HexToHash("0x6697b23232a647058342c0724fe7c415cab25915b54e5dbc03f233173d37b41c")
}

// UnpackAccessControlBadConfirmationError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error AccessControlBadConfirmation()
func (drillVault *DrillVault) UnpackAccessControlBadConfirmationError(raw []byte) (*DrillVaultAccessControlBadConfirmation, error) {
	out := new(DrillVaultAccessControlBadConfirmation)
	if err := drillVault.abi.UnpackIntoInterface(out, "AccessControlBadConfirmation", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// DrillVaultAccessControlUnauthorizedAccount represents a AccessControlUnauthorizedAccount error raised by the DrillVault contract.
type DrillVaultAccessControlUnauthorizedAccount struct {
	Account    common.Address
	NeededRole [32]byte
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error AccessControlUnauthorizedAccount(address account, bytes32 neededRole)
func DrillVaultAccessControlUnauthorizedAccountErrorID() common.Hash {
	return common.HexToHash("0xe2517d3fbfae6f8515ef5ff1ccedc3933ab0cbbda0b492c06eb54ad10ef03b3e")
}

// UnpackAccessControlUnauthorizedAccountError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error AccessControlUnauthorizedAccount(address account, bytes32 neededRole)
func (drillVault *DrillVault) UnpackAccessControlUnauthorizedAccountError(raw []byte) (*DrillVaultAccessControlUnauthorizedAccount, error) {
	out := new(DrillVaultAccessControlUnauthorizedAccount)
	if err := drillVault.abi.UnpackIntoInterface(out, "AccessControlUnauthorizedAccount", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// DrillVaultEnforcedPause represents a EnforcedPause error raised by the DrillVault contract.
type DrillVaultEnforcedPause struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error EnforcedPause()
func DrillVaultEnforcedPauseErrorID() common.Hash {
	return common.HexToHash("0xd93c0665d6c96d04a8f174024fc4ddd66c250604aff22bbec808de86dd3637e3")
}

// UnpackEnforcedPauseError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error EnforcedPause()
func (drillVault *DrillVault) UnpackEnforcedPauseError(raw []byte) (*DrillVaultEnforcedPause, error) {
	out := new(DrillVaultEnforcedPause)
	if err := drillVault.abi.UnpackIntoInterface(out, "EnforcedPause", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// DrillVaultExpectedPause represents a ExpectedPause error raised by the DrillVault contract.
type DrillVaultExpectedPause struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ExpectedPause()
func DrillVaultExpectedPauseErrorID() common.Hash {
	return common.HexToHash("0x8dfc202bcfe9a735b559bee70674422512bc5c30f687046ae8778315fb81da44")
}

// UnpackExpectedPauseError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ExpectedPause()
func (drillVault *DrillVault) UnpackExpectedPauseError(raw []byte) (*DrillVaultExpectedPause, error) {
	out := new(DrillVaultExpectedPause)
	if err := drillVault.abi.UnpackIntoInterface(out, "ExpectedPause", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// DrillVaultInsufficientFunds represents a InsufficientFunds error raised by the DrillVault contract.
type DrillVaultInsufficientFunds struct {
	Balance *big.Int
	Amount  *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error InsufficientFunds(uint256 balance, uint256 amount)
func DrillVaultInsufficientFundsErrorID() common.Hash {
	return common.HexToHash("0x03eb8b54a949acec2cd08fdb6d6bd4647a1f2c907d75d6900648effa92eb147f")
}

// UnpackInsufficientFundsError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error InsufficientFunds(uint256 balance, uint256 amount)
func (drillVault *DrillVault) UnpackInsufficientFundsError(raw []byte) (*DrillVaultInsufficientFunds, error) {
	out := new(DrillVaultInsufficientFunds)
	if err := drillVault.abi.UnpackIntoInterface(out, "InsufficientFunds", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// DrillVaultNothingToWithdraw represents a NothingToWithdraw error raised by the DrillVault contract.
type DrillVaultNothingToWithdraw struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error NothingToWithdraw()
func DrillVaultNothingToWithdrawErrorID() common.Hash {
	return common.HexToHash("0xd0d04f60bf4f7629141a1f00f5d2908fa0f3e15bf4cbf8bb8edc6fcbdf2509fa")
}

// UnpackNothingToWithdrawError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error NothingToWithdraw()
func (drillVault *DrillVault) UnpackNothingToWithdrawError(raw []byte) (*DrillVaultNothingToWithdraw, error) {
	out := new(DrillVaultNothingToWithdraw)
	if err := drillVault.abi.UnpackIntoInterface(out, "NothingToWithdraw", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// DrillVaultTransferFailed represents a TransferFailed error raised by the DrillVault contract.
type DrillVaultTransferFailed struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error TransferFailed()
func DrillVaultTransferFailedErrorID() common.Hash {
	return common.HexToHash("0x90b8ec1877afffd816d05d9b13947f3ff18ec5851c38bad15ec2b710f92391b1")
}

// UnpackTransferFailedError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error TransferFailed()
func (drillVault *DrillVault) UnpackTransferFailedError(raw []byte) (*DrillVaultTransferFailed, error) {
	out := new(DrillVaultTransferFailed)
	if err := drillVault.abi.UnpackIntoInterface(out, "TransferFailed", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// DrillVaultZeroAddress represents a ZeroAddress error raised by the DrillVault contract.
type DrillVaultZeroAddress struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ZeroAddress()
func DrillVaultZeroAddressErrorID() common.Hash {
	return common.HexToHash("0xd92e233df2717d4a40030e20904abd27b68fcbeede117eaaccbbdac9618c8c73")
}

// UnpackZeroAddressError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ZeroAddress()
func (drillVault *DrillVault) UnpackZeroAddressError(raw []byte) (*DrillVaultZeroAddress, error) {
	out := new(DrillVaultZeroAddress)
	if err := drillVault.abi.UnpackIntoInterface(out, "ZeroAddress", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// DrillVaultZeroAmount represents a ZeroAmount error raised by the DrillVault contract.
type DrillVaultZeroAmount struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ZeroAmount()
func DrillVaultZeroAmountErrorID() common.Hash {
	return common.HexToHash("0x1f2a2005cb66a8e145327e8814e243a0996aec9bfe1e15a495778b1236dbd485")
}

// UnpackZeroAmountError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ZeroAmount()
func (drillVault *DrillVault) UnpackZeroAmountError(raw []byte) (*DrillVaultZeroAmount, error) {
	out := new(DrillVaultZeroAmount)
	if err := drillVault.abi.UnpackIntoInterface(out, "ZeroAmount", raw); err != nil {
		return nil, err
	}
	return out, nil
}
